"""Files that mlf writes for a person or a program: checked before any work, written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError


def check_target(path: Path) -> None:
    """Raise UsageError unless `path` can be written: its folder exists and is writable, and it is no folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder", hint="give a file name")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist", hint="create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: the folder {folder} is not writable")


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename over it, so a reader never sees half a file."""
    import tempfile  # here: `mlf run` imports this module on every start and writes a file only with --record

    check_target(path)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as err:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from err
