"""The user's cache folder for mlf: `$XDG_CACHE_HOME/mlfcore`, else `~/.cache/mlfcore` (the XDG Base Directory
specification's default). Everything kept there can be deleted at any time: it only saves work."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlfcore"
