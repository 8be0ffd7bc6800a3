"""Checkpoints written atomically, per rank, carrying the environment key; and the check that one is valid.

Layout of a checkpoint folder (`MLF_CHECKPOINT_DIR`):

    checkpoint.json          the manifest: the commit point, replaced atomically, names the current step folder
    step-000120/rank-0.pt    each rank's payload (framework specific: see resume_torch.py)
    step-000120/rank-1.pt

A checkpoint is written in two phases: every rank writes its payload to a temporary name, flushes it to disk and
renames it into the new step folder; then rank 0 — after a barrier in a distributed run — writes the manifest with
each payload's SHA-256 the same way, and only then removes older step folders. A process killed at any moment leaves
the previous manifest and the files it names intact, so the previous checkpoint is the one used (POSIX rename(2)
replaces a name atomically; the fsyncs make the data durable before the name points at it).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from . import files, variables
from .errors import ContractConflict, UsageError

MANIFEST = "checkpoint.json"
FORMAT_VERSION = 1


class EnvironmentChanged(ContractConflict):
    """The checkpoint was written under another environment key: resuming cannot promise the same bits."""

    def __init__(self, written: str, current: str) -> None:
        super().__init__(f"the checkpoint was written under environment key {written[:12]}, this run has "
                         f"{current[:12]}: a resumed run would not give the bits of an uninterrupted one", [],
                         hint="resume where it started (same image, hardware, world size, seed and threads), or "
                              "pass --allow-nondeterministic to resume anyway (the run is then recorded as "
                              "non-deterministic)")
        self.written, self.current = written, current


class InvalidCheckpoint(UsageError):
    """A checkpoint folder without a readable manifest, or whose files do not match it."""


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary_path)`, flush the file to disk, then rename it to `target` (files.atomic_write, durable:
    the data is on disk before the name points at it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    files.atomic_write(target, write, durable=True)


def sha256(path: Path) -> str:
    return files.sha256(path)


def step_folder(folder: Path, step: int) -> Path:
    return folder / f"step-{step:06d}"


def payload_path(folder: Path, step: int, rank: int) -> Path:
    return step_folder(folder, step) / f"rank-{rank}.pt"


def environment_key(environ: Mapping[str, str] | None = None) -> str:
    """The run's environment key, passed by `mlf train` to its child; empty when run another way."""
    return (os.environ if environ is None else environ).get(variables.MLF_ENVIRONMENT_KEY, "")


def commit(folder: Path, step: int, world_size: int, *, partitioning: str = "", extra: Mapping | None = None,
           environ: Mapping[str, str] | None = None) -> dict:
    """Write the manifest for `step` (rank 0, after every rank wrote its payload) and drop older step folders."""
    files = {}
    for rank in range(world_size):
        path = payload_path(folder, step, rank)
        if not path.is_file():
            raise InvalidCheckpoint(f"rank {rank} wrote no checkpoint for step {step} ({path})",
                                    hint="every rank must save before rank 0 commits")
        files[path.relative_to(folder).as_posix()] = sha256(path)
    environ = os.environ if environ is None else environ
    # The run and the job it belongs to (set by `mlf train` and the scheduler): a restarted `mlf train` resumes only
    # the run its checkpoint names (train/resume.py).
    manifest = {"format_version": FORMAT_VERSION, "step": step, "world_size": world_size,
                "partitioning": partitioning, "environment_key": environment_key(environ), "files": files,
                "run_id": environ.get(variables.MLFLOW_RUN_ID, ""), "job_id": environ.get(variables.MLF_JOB_ID, ""),
                "extra": dict(extra or {})}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    write_atomically(folder / MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))
    current = step_folder(folder, step).name
    for old in folder.glob("step-*"):
        if old.name != current and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return manifest


def read_manifest(folder: Path) -> dict | None:
    """The manifest of `folder`, or None when there is no checkpoint yet."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InvalidCheckpoint(f"the checkpoint manifest {path} is unreadable: {err}",
                                hint="remove the checkpoint folder to start afresh") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidCheckpoint(f"the checkpoint manifest {path} is not of format version {FORMAT_VERSION}",
                                hint="remove the checkpoint folder to start afresh")
    return manifest


def problems(folder: Path) -> list[str]:
    """Why the checkpoint in `folder` cannot be used; empty when it is valid."""
    try:
        manifest = read_manifest(folder)
    except InvalidCheckpoint as err:
        return [err.message]
    if manifest is None:
        return [f"no {MANIFEST} in {folder}"]
    found = []
    for name, digest in manifest.get("files", {}).items():
        path = Path(folder) / name
        if not path.is_file():
            found.append(f"{name} is missing")
        elif sha256(path) != digest:
            found.append(f"{name} does not match its SHA-256 in the manifest")
    return found


def is_valid(folder: Path) -> bool:
    """Whether `folder` holds a complete checkpoint (the manifest and every file it names, unchanged)."""
    return not problems(Path(folder))


def check_environment(manifest: Mapping, environ: Mapping[str, str] | None = None) -> None:
    """Raise EnvironmentChanged when the checkpoint's key differs from this run's, unless the run is marked
    non-deterministic (MLF_NONDETERMINISTIC=1, set by --allow-nondeterministic). A side without a key (a run not
    started by `mlf train`) cannot be compared and passes."""
    environ = os.environ if environ is None else environ
    written, current = manifest.get("environment_key", ""), environment_key(environ)
    if written and current and written != current and environ.get(variables.MLF_NONDETERMINISTIC) != "1":
        raise EnvironmentChanged(written, current)


def load(folder: Path, rank: int = 0, environ: Mapping[str, str] | None = None) -> tuple[dict, Path] | None:
    """The manifest and this rank's payload path, or None when `folder` holds no checkpoint yet. Raises
    InvalidCheckpoint when it is damaged and EnvironmentChanged when the key differs."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    found = problems(folder)
    if found:
        raise InvalidCheckpoint(f"the checkpoint in {folder} is damaged: {'; '.join(found)}",
                                hint="remove the checkpoint folder to start afresh")
    check_environment(manifest, environ)
    return manifest, payload_path(folder, manifest["step"], rank)


def save_arrays(folder: Path, step: int, arrays: Mapping[str, object], *, partitioning: str = "",
                extra: Mapping | None = None) -> None:
    """One process's checkpoint as NumPy arrays in an .npz (no pickle: loading it runs no code), then the
    manifest: what the Keras and XGBoost resumes write (resume_keras.py, resume_xgboost.py)."""
    import io

    import numpy

    buffer = io.BytesIO()
    numpy.savez(buffer, **arrays)
    write_atomically(payload_path(folder, step, 0), lambda path: path.write_bytes(buffer.getvalue()))
    commit(folder, step, 1, partitioning=partitioning, extra=extra)


def load_arrays(folder: Path) -> tuple[dict, dict] | None:
    """The manifest and the arrays `save_arrays` wrote, or None when `folder` holds no checkpoint (`load`'s
    errors otherwise)."""
    import numpy

    found = load(folder, 0)
    if found is None:
        return None
    manifest, path = found
    with numpy.load(path, allow_pickle=False) as stored:
        return manifest, {name: stored[name] for name in stored.files}


def folder_from_environment(environ: Mapping[str, str] | None = None) -> Path | None:
    raw = (os.environ if environ is None else environ).get(variables.MLF_CHECKPOINT_DIR, "").strip()
    return Path(raw) if raw else None
