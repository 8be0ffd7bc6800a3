"""The report's folder is written whole or not at all: into a hidden folder beside the target, renamed over it at
the end (a rename within one file system is atomic, POSIX rename(2)). An existing folder is replaced only with
--force, and only when it is empty or a report mlf wrote: `-o ~ --force` must never delete a home folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import UsageError

# Files every report mlf writes holds: what --force checks before it replaces a folder.
SIGNATURE = ("ro-crate-metadata.json", "ro-crate-preview.html", "report.json")


def _ours(folder: Path) -> bool:
    return all((folder / name).is_file() for name in SIGNATURE)


def check(target: Path, force: bool) -> None:
    """UsageError unless the report can be written to `target`; writes nothing."""
    parent = target.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write the report to {target}: the folder {parent} does not exist",
                         hint="create it first, or give another -o")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write the report to {target}: the folder {parent} is not writable")
    if not (target.exists() or target.is_symlink()):
        return
    if not force:
        raise UsageError(f"the report folder {target} exists already",
                         hint="pass --force to replace it, or give another -o")
    if target.is_symlink() or not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder: --force replaces only a report folder",
                         hint="give another -o, or remove it yourself")
    if any(target.iterdir()) and not _ours(target):
        raise UsageError(f"{target} is not a report that mlf wrote: --force replaces only those",
                         hint="give another -o, or remove it yourself")


def _permissions() -> int:
    """A new folder's mode under this process's umask (mkdtemp makes its folder 0700)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _move(staging: Path, target: Path) -> None:
    """Put `staging` where `target` is; an old report goes aside first and comes back when the rename fails."""
    if not target.exists():
        os.rename(staging, target)
        return
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.replaced-"))
    os.replace(target, aside / "report")
    try:
        os.rename(staging, target)
    except OSError:
        os.replace(aside / "report", target)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


@contextmanager
def staged(target: Path, force: bool):
    """Yield a new hidden folder beside `target`; when the block succeeds it becomes `target` (replacing the old
    one), when it fails it is removed."""
    check(target, force)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.writing-"))
    try:
        yield staging
        os.chmod(staging, _permissions())
        try:
            _move(staging, target)
        except OSError as err:
            raise UsageError(f"cannot write the report to {target}: {err.strerror or err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when it became the target
