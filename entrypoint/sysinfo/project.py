"""The project's code: a content hash of its source files (always), and the git commit and whether the working
tree is dirty, through the git command line.

The source hash needs no git: the images carry none, and a project mounted into a container may be a copy
without .git. It covers the files that are code or configuration by their names (SOURCE_SUFFIXES, SOURCE_NAMES),
the same rule everywhere, so a project hashes the same on the host and in a container; data, outputs and the
tracking store are not source, and are skipped by folder (SKIPPED_FOLDERS) or by name.

The git CLI, not a library: it is in every image that builds code and reads every repository format. Without
git, outside a repository, or when git refuses (a repository owned by another user: "dubious ownership"), the
section says why instead of failing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 10

SOURCE_SUFFIXES = frozenset({".py", ".pyi", ".pyx", ".sh", ".toml", ".cfg", ".ini", ".yaml", ".yml", ".r", ".jl"})
SOURCE_NAMES = frozenset({"MLproject", "Dockerfile", "Makefile", "requirements.txt", "setup.py"})
# Hidden folders (.git, .venv), caches, environments, MLflow's stores and mlf's default output folder.
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env", "mlruns",
                             "mlartifacts", "outputs", "build", "dist"})
# A record lists the files by name up to this many (the hash always covers them all).
LISTED_FILES = 2000


def _is_source(name: str) -> bool:
    return (name in SOURCE_NAMES or os.path.splitext(name)[1].lower() in SOURCE_SUFFIXES
            or (name.startswith("requirements") and name.endswith(".txt")))


def source_files(directory: Path) -> dict[str, Path]:
    """The project's source files: POSIX path relative to `directory` → path, sorted."""
    found: dict[str, Path] = {}
    for folder, subfolders, names in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name not in SKIPPED_FOLDERS
                         and not name.endswith(".egg-info")]
        for name in names:
            path = Path(folder, name)
            if _is_source(name) and path.is_file():
                found[path.relative_to(directory).as_posix()] = path
    return dict(sorted(found.items()))


def source(directory: Path | str) -> dict:
    """{"sha256", "count", "files": {name: sha256}}: the hash is over `name NUL sha256` lines in name order, so a
    renamed file changes it as much as an edited one."""
    from ..files import sha256 as file_sha256

    hashes = {name: file_sha256(path) for name, path in source_files(Path(directory)).items()}
    text = "".join(f"{name}\0{digest}\n" for name, digest in hashes.items())
    listed = dict(list(hashes.items())[:LISTED_FILES])
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "count": len(hashes), "files": listed}


def changed_files(recorded: dict, now: dict) -> list[str]:
    """The source files added, removed or edited between two `source()` results (by their listed files)."""
    before, after = recorded.get("files") or {}, now.get("files") or {}
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


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
    """The project section of the record: the source hash, and what git says."""
    directory = Path(project_dir).resolve()
    try:
        code = source(directory)
    except OSError as err:
        code = {"sha256": None, "count": 0, "files": {}, "reason": f"cannot read the source files: {err}"}
    return {**_git_section(directory), "source": code}


def _git_section(directory: Path) -> dict:
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
