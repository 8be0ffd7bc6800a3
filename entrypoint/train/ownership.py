"""Who owns a run, and what happens to the runs whose owner died.

While `mlf train` runs, it holds an flock on `<outputs>/.owners/<run id>.lock`. The kernel drops that lock when the
process dies, however it dies (SIGKILL, OOM killer, a node reboot), so the next `mlf train` in the project can tell
a live run from an orphan without trusting process ids (reused) or clocks. An orphan is marked FAILED and the user
told — or, when it left a valid checkpoint (train/resume.py), kept KILLED: the next `mlf train` resumes it.

Why the store's state alone cannot say it: the training child logs into the same run, and MLflow's
`mlflow.end_run()` in the child sets FINISHED on its own (mlflow/tracking/fluent.py, end_run) — so an mlf killed
after its child finished, or whose last write failed on a full disk, left a FINISHED run without a fingerprint.
A run is FINISHED only with its fingerprint: an orphan found FINISHED without `mlf.fingerprint` is marked FAILED.

Declared project outputs (files outside the per-run folder) are written by every run of the project to the same
paths, so runs that declare them hold the project's outputs lock from the start of training until their files are
copied into the run's own folder: a fingerprint then covers that run's files only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from .. import console
from .store import locked

OWNERS_DIR = ".owners"
OUTPUTS_LOCK = ".mlf-outputs.lock"
FINGERPRINT_TAG = "mlf.fingerprint"
FAILURE_TAG = "mlf.failure"
OWNER_DIED = "the mlf that owned this run died before recording a result"


@contextlib.contextmanager
def claim(output_root: Path, run_id: str):
    """Hold the owner lock of `run_id` for the block; the lock file is removed only when the block ends normally,
    so an owner whose last writes failed leaves it for the next run to find."""
    folder = output_root / OWNERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{run_id}.lock"
    scratch = folder / f"{run_id}.lock.{os.getpid()}"
    handle = os.open(scratch, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.rename(scratch, final)  # locked before it has the name reap() looks for: never seen unlocked
        yield
        final.unlink(missing_ok=True)
    finally:
        os.close(handle)


def _orphans(output_root: Path):
    """Yield (run_id, path) for each owner lock nobody holds, holding it while the caller handles it."""
    folder = output_root / OWNERS_DIR
    for path in sorted(folder.glob("*.lock")) if folder.is_dir() else []:
        try:
            handle = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue  # its owner finished, or another mlf reaped it
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live owner
            yield path.name.removesuffix(".lock"), path
            path.unlink(missing_ok=True)
        finally:
            os.close(handle)


def owned(output_root: Path, run_id: str) -> bool:
    """Whether a live mlf holds the owner lock of `run_id` (a training, or a delivery after it, in progress)."""
    try:
        handle = os.open(Path(output_root) / OWNERS_DIR / f"{run_id}.lock", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)


def settle(run, project_root: Path) -> str | None:
    """The state an orphaned run must get, or None when its record is already true: KILLED (resumable) when it left
    a valid checkpoint, else FAILED."""
    from .resume import has_valid_checkpoint

    status = run.info.status
    if status in ("FAILED", "KILLED") or (status == "FINISHED" and FINGERPRINT_TAG in run.data.tags):
        return None
    return "KILLED" if has_valid_checkpoint(project_root, run.info.run_id) else "FAILED"


def reap(client, output_root: Path, project_root: Path) -> list[tuple[str, str]]:
    """Find the runs of this project whose owner died, correct their state, say so. Returns (run_id, state)."""
    from mlflow.exceptions import MlflowException

    done = []
    for run_id, _ in _orphans(output_root):
        try:
            run = client.get_run(run_id)
        except MlflowException:
            continue  # its run never reached the store (mlf died between creating both)
        state = settle(run, project_root)
        if state is None:
            continue
        client.set_tag(run_id, FAILURE_TAG, OWNER_DIED)
        client.set_terminated(run_id, state)
        console.warn(f"run {run_id} was left {run.info.status} by an mlf that died before recording its result: "
                     f"marked {state}" + (" (it left a checkpoint: the next `mlf train` resumes it)"
                                          if state == "KILLED" else ""))
        done.append((run_id, state))
    return done


def outputs_lock(root: Path, run_id: str):
    """The project's declared-outputs lock (see the module's docstring)."""
    return locked(root / OUTPUTS_LOCK, waiting=f"run {run_id} waits for another run that writes the same declared "
                                                "outputs to finish")
