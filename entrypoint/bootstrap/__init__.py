"""The child-process bootstrap of `mlf run`.

This folder is put first on the child's PYTHONPATH, so its `sitecustomize.py` runs at interpreter start, before any
user code. `_mlf_hooks.py` seeds Python's `random` at once and applies the framework parts of the contract right after
a framework is first imported, so a program that never imports torch never pays for it. Both modules import nothing
from mlfcore: the child may be another interpreter than the one mlf runs in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

BOOTSTRAP_DIR = Path(__file__).resolve().parent


def child_environment(settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The complete environment of a command run under the contract (contract.child_environment, for `settings`)
    with this folder first on PYTHONPATH, so the child's Python runs the bootstrap."""
    from .. import contract

    env = contract.child_environment(settings, environ)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(BOOTSTRAP_DIR) + (os.pathsep + existing if existing else "")
    return env
