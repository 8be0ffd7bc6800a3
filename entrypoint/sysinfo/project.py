"""The project's code: git commit and whether the working tree is dirty, through the git command line.

The git CLI, not a library: it is in every image that builds code and reads every repository format. Without
git, outside a repository, or when git refuses (a repository owned by another user: "dubious ownership"), the
section says why instead of failing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 10


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True,
                          timeout=GIT_TIMEOUT_S, check=False)


def _unknown(directory: Path, reason: str) -> dict:
    return {"directory": str(directory), "commit": None, "dirty": None, "reason": reason}


def _git_dir(directory: Path) -> Path | None:
    """The repository's git directory: `.git` in `directory` or a parent, or where a `.git` file points."""
    for folder in (directory, *directory.parents):
        marker = folder / ".git"
        if marker.is_dir():
            return marker
        if marker.is_file():  # a worktree or submodule: "gitdir: <path>"
            target = marker.read_text(encoding="utf-8").partition("gitdir:")[2].strip()
            return (folder / target).resolve() if target else None
    return None


def _read_head(directory: Path) -> str | None:
    """HEAD's commit read from the files git writes (loose ref, packed-refs or a detached HEAD), without git."""
    git_dir = _git_dir(directory)
    if git_dir is None:
        return None
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head or None
        ref = head.partition(":")[2].strip()
        common = git_dir / "commondir"  # worktrees keep refs in the main repository
        refs_root = (git_dir / common.read_text(encoding="utf-8").strip()).resolve() if common.is_file() else git_dir
        for root in dict.fromkeys((git_dir, refs_root)):
            if (root / ref).is_file():
                return (root / ref).read_text(encoding="utf-8").strip()
            packed = root / "packed-refs"
            if packed.is_file():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    sha, _, name = line.partition(" ")
                    if name == ref:
                        return sha
    except (OSError, UnicodeDecodeError):
        return None
    return None


def collect(project_dir: Path | str = ".") -> dict:
    """The project section of the record."""
    directory = Path(project_dir).resolve()
    if shutil.which("git") is None:
        # The images carry no git (it and perl would add 116 MB to the base, measured): the commit still counts.
        commit = _read_head(directory)
        if commit is None:
            return _unknown(directory, "git is not installed: the commit cannot be recorded")
        return {**_unknown(directory, "git is not installed: the commit is read from .git, the dirty state is "
                                      "unknown"), "commit": commit}
    try:
        head = _git(directory, "rev-parse", "HEAD")
        if head.returncode != 0:
            message = (head.stderr.strip().splitlines() or ["git failed"])[-1]
            return _unknown(directory, f"not a git repository with a commit, or git refused: {message}")
        # Tracked changes make the tree dirty; untracked files are counted apart (they may be data or outputs).
        status = _git(directory, "status", "--porcelain=v1", "--untracked-files=normal")
    except (OSError, subprocess.TimeoutExpired) as err:
        return _unknown(directory, f"git failed: {err}")
    if status.returncode != 0:
        return {**_unknown(directory, f"git status failed: {status.stderr.strip()}"), "commit": head.stdout.strip()}
    lines = status.stdout.splitlines()
    untracked = sum(line.startswith("??") for line in lines)
    return {"directory": str(directory), "commit": head.stdout.strip(), "dirty": len(lines) > untracked,
            "changed_files": len(lines) - untracked, "untracked_files": untracked}
