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


def collect(project_dir: Path | str = ".") -> dict:
    """The project section of the record."""
    directory = Path(project_dir).resolve()
    if shutil.which("git") is None:
        return _unknown(directory, "git is not installed: the commit cannot be recorded")
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
