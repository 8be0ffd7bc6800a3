"""What an image is built from: a git checkout's commit, its time and whether it holds uncommitted changes.

The time is the reproducible-builds.org SOURCE_DATE_EPOCH: the environment's when it is set (the specification lets
a caller fix it), else the commit's committer time, so the same commit gives the same timestamps on every machine.
A checkout with uncommitted or untracked (not ignored) files is dirty: its image is labelled so, and no rebuild
from the commit can give it. Our images ask about the repository, `mlf-scaffold publish` about a project.

What is built is a copy of the checkout's files (`copy_tree`): those git tracks and the untracked ones it does not
ignore, with modes 0644 or 0755. A build folder's leftovers (setuptools' build/lib) and the checkout's umask (which
sets the modes git checks files out with) then cannot reach an image.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
# The workflow's commit (GitHub Actions' default environment), when git itself cannot answer.
GITHUB_SHA = "GITHUB_SHA"
UNKNOWN = "unknown"


class SourceError(ValueError):
    """No time to build at: not a git checkout and no SOURCE_DATE_EPOCH, or one that is no integer."""


@dataclass(frozen=True)
class Source:
    revision: str
    epoch: int
    dirty: bool


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def revision(folder: Path) -> str:
    return _git(folder, "rev-parse", "HEAD") or os.environ.get(GITHUB_SHA) or UNKNOWN


def epoch(folder: Path) -> int:
    given = os.environ.get(SOURCE_DATE_EPOCH)
    if given is not None:
        if not given.isdigit():
            raise SourceError(f"{SOURCE_DATE_EPOCH}={given!r} is not a number of seconds: unset it to use the "
                              "commit's time")
        return int(given)
    committed = _git(folder, "log", "-1", "--format=%ct", "HEAD")
    if not committed.isdigit():
        raise SourceError(f"{folder} is not a git checkout with a commit: commit it, or set {SOURCE_DATE_EPOCH} "
                          "to build at a fixed time")
    return int(committed)


def dirty(folder: Path) -> bool:
    """Uncommitted changes or untracked files git does not ignore; outside git, always."""
    inside = _git(folder, "rev-parse", "--is-inside-work-tree") == "true"
    return not inside or bool(_git(folder, "status", "--porcelain", "--untracked-files=normal"))


def of(folder: Path) -> Source:
    return Source(revision(folder), epoch(folder), dirty(folder))


def files(root: Path) -> list[str]:
    """The checkout's files: what git tracks and what it does not ignore; outside git, everything but build/."""
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True)
    if listed.returncode == 0:
        return sorted({name for name in listed.stdout.decode().split("\0") if name and (root / name).is_file()})
    return sorted(str(path.relative_to(root)) for path in root.rglob("*")
                  if path.is_file() and path.relative_to(root).parts[0] not in {"build", "dist", ".git", ".venv"})


def copy_tree(root: Path, target: Path) -> None:
    """ROOT's files into TARGET with normalised modes (0755 when executable, else 0644); links are followed."""
    for name in files(root):
        original, copy = root / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, copy)
        copy.chmod(0o755 if os.access(original, os.X_OK) else 0o644)
