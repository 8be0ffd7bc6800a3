"""Helpers for tests that drive `mlf` as a real process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlfcore.entrypoint import contract, variables

MLF = [sys.executable, "-m", "mlfcore.entrypoint.cli"]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any contract or MLF_* variable, plus `extra`."""
    names = set(contract.NAMES) | {getattr(variables, n) for n in dir(variables) if n.startswith("MLF_")}
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update(extra)
    return env


def mlf(*args: str, env: dict[str, str] | None = None, cwd: Path | str | None = None,
        prefix: tuple[str, ...] = (), timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `mlf ARGS` in a fresh process; `prefix` wraps it (e.g. taskset)."""
    return subprocess.run([*prefix, *MLF, *args], env=env if env is not None else clean_environment(),
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def tree_digest(folder: Path) -> str:
    """One hash over every file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project directory (no pyproject.toml, no Python files)."""
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def pytest_sessionfinish(session, exitstatus):
    """docs/RELIABILITY.md must list every bad input and fault the tests noted: a case added without
    `make reliability` fails the session, naming it."""
    from .reliability import LOG, stale

    missing = [] if os.environ.get(LOG) else stale()  # `make reliability` is writing the new document
    if missing:
        lines = "\n".join(f"  {kind}: {case}" for kind, case in missing)
        print(f"\ndocs/RELIABILITY.md is stale (run `make reliability`); missing cases:\n{lines}")
        session.exitstatus = 1
