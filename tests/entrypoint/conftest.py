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
    """One hash over every file's relative path and bytes, in sorted order; TensorBoard event files (whose bytes hold
    wall-clock times, whose names the host and pid) by their folder and what they log, read with TensorBoard's own
    protobuf classes: an oracle independent of mlf's reader."""
    digest = hashlib.sha256()
    logs: dict[str, list[tuple]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith("events.out.tfevents."):
            logs.setdefault(str(path.parent.relative_to(folder)), []).extend(_logged(path))
            continue
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    for where, values in sorted(logs.items()):
        digest.update(f"{where}/events\0{sorted(values)!r}".encode())
    return digest.hexdigest()


def _logged(path: Path) -> list[tuple]:
    """(tag, step, kind, bytes) of every summary value of an event file: TFRecord framing (length, its CRC, data,
    its CRC), each record an Event message."""
    import struct

    from tensorboard.compat.proto import event_pb2

    data, values, position = path.read_bytes(), [], 0
    while position < len(data):
        (length,) = struct.unpack_from("<Q", data, position)
        event = event_pb2.Event.FromString(data[position + 12:position + 12 + length])
        position += 12 + length + 4
        for value in event.summary.value:
            kind = value.WhichOneof("value")
            payload = struct.pack("<f", value.simple_value) if kind == "simple_value" else \
                getattr(value, kind).SerializeToString(deterministic=True)
            values.append((value.tag, event.step, kind, payload))
    return values


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
