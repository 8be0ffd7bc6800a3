"""Preemption of `mlf train --nproc 2` (the PyTorch example under torchrun, 2 gloo ranks), for real: SIGTERM to the
whole process group of mlf, torchrun and the ranks, as Slurm signals every process of a job step. Every rank
checkpoints, mlf exits 143 within the grace period, the run is KILLED with the step it reached, and training again
resumes the same MLflow run to the fingerprint of an uninterrupted 2-rank run. A SIGTERM that reaches one rank
alone (one node of a multi-node job preempted) stops both at the same step, and the record names the signal."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ..conftest import MLF, mlf
from .projects import environment, runs

pytestmark = pytest.mark.slow

ARGS = ["--json", "--no-lint", "--nproc", "2", "-P", "workers=0"]
EPOCHS = 2  # the uninterrupted and the resumed runs
GRACE_SECONDS = 30  # Kubernetes' default terminationGracePeriodSeconds; Slurm's --signal lead time is set per job


def workspace(tmp_path, store_template, name):
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(store_template, folder / "mlflow.db")
    return folder


def start_preemptible(folder, epochs: int = EPOCHS):
    """`mlf train` in a session of its own, checkpointing every 2 steps; returns once a checkpoint exists."""
    env = environment(MLF_IMAGE_EXAMPLE="pytorch_digits", MLF_CHECKPOINT_EVERY="2")
    process = subprocess.Popen([*MLF, "train", str(folder), *ARGS, "-P", f"epochs={epochs}"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list((folder / ".mlf" / "checkpoints").glob("*/checkpoint.json")):  # both ranks have trained 2 steps
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[1][-3000:]
        time.sleep(0.1)
    return process


def rank_process(root: int, rank: int) -> int:
    """The pid of the training process of `rank` among root's descendants (torchrun starts each worker in a session
    of its own, with RANK in its environment)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # not a process, or one that ended meanwhile
        children.setdefault(parent, []).append(int(entry.name))
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            variables = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"RANK={rank}".encode() in variables and any(v.startswith(b"TORCHELASTIC_") for v in variables):
            return pid
    raise AssertionError(f"no process of rank {rank} under pid {root}")


def train(folder, **env):
    return mlf("train", str(folder), *ARGS, "-P", f"epochs={EPOCHS}",
               env=environment(MLF_IMAGE_EXAMPLE="pytorch_digits", **env), timeout=600)


def test_sigterm_to_the_process_group_stops_every_rank_and_training_again_resumes_the_run(tmp_path, store_template):
    whole = train(workspace(tmp_path, store_template, "whole"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    folder = workspace(tmp_path, store_template, "preempted")
    process = start_preemptible(folder)
    checkpoints = folder / ".mlf" / "checkpoints"
    os.killpg(process.pid, signal.SIGTERM)  # mlf, torchrun and both ranks at once
    stdout, stderr = process.communicate(timeout=GRACE_SECONDS)
    assert process.returncode == 143, stderr[-3000:]
    run_id = json.loads(stdout)["run_id"]
    manifest = json.loads((checkpoints / run_id / "checkpoint.json").read_text())
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["world_size"] == 2
    assert sorted(manifest["files"]) == [f"step-{manifest['step']:06d}/rank-{r}.pt" for r in (0, 1)]
    (run,) = runs(folder)
    assert run.info.status == "KILLED" and run.data.tags["mlf.step_reached"] == str(manifest["step"])

    resumed = train(folder)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert json.loads(resumed.stdout)["run_id"] == run_id
    assert json.loads(resumed.stdout)["fingerprint"] == json.loads(whole.stdout)["fingerprint"]
    (run,) = runs(folder)
    assert run.info.status == "FINISHED" and run.data.tags["mlf.resumed_from_step"] == str(manifest["step"])


def test_sigterm_to_one_rank_stops_both_at_the_same_step_and_rank_0_records_the_signal(tmp_path, store_template):
    # Rank 0 writes the manifest and was never signalled: only the group's agreement tells it why it stops.
    folder = workspace(tmp_path, store_template, "one-rank")
    process = start_preemptible(folder, epochs=50)  # far more steps than the signal needs: it cannot end first
    try:
        os.kill(rank_process(process.pid, 1), signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=GRACE_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 143, stderr[-3000:]
    run_id = json.loads(stdout)["run_id"]
    manifest = json.loads((folder / ".mlf" / "checkpoints" / run_id / "checkpoint.json").read_text())
    assert manifest["extra"]["stopped"] == "signal SIGTERM"
    assert sorted(manifest["files"]) == [f"step-{manifest['step']:06d}/rank-{r}.pt" for r in (0, 1)]
    (run,) = runs(folder)
    assert run.info.status == "KILLED" and run.data.tags["mlf.step_reached"] == str(manifest["step"])
