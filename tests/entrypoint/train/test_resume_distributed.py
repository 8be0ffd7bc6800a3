"""Preemption of `mlf train --nproc 2` (the PyTorch example under torchrun, 2 gloo ranks), for real: SIGTERM to the
whole process group of mlf, torchrun and the ranks, as Slurm signals every process of a job step. Every rank
checkpoints, mlf exits 143 within the grace period, the run is KILLED with the step it reached, and training again
resumes the same MLflow run to the fingerprint of an uninterrupted 2-rank run."""

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from ..conftest import MLF, mlf
from .projects import environment, runs

pytestmark = pytest.mark.slow

ARGS = ["--json", "--no-lint", "--nproc", "2", "-P", "workers=0", "-P", "epochs=2"]
GRACE_SECONDS = 30  # Kubernetes' default terminationGracePeriodSeconds; Slurm's --signal lead time is set per job


def workspace(tmp_path, store_template, name):
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(store_template, folder / "mlflow.db")
    return folder


def train(folder, **env):
    return mlf("train", str(folder), *ARGS, env=environment(MLF_IMAGE_EXAMPLE="pytorch_digits", **env), timeout=600)


def test_sigterm_to_the_process_group_stops_every_rank_and_training_again_resumes_the_run(tmp_path, store_template):
    whole = train(workspace(tmp_path, store_template, "whole"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    folder = workspace(tmp_path, store_template, "preempted")
    env = environment(MLF_IMAGE_EXAMPLE="pytorch_digits", MLF_CHECKPOINT_EVERY="2")
    process = subprocess.Popen([*MLF, "train", str(folder), *ARGS], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    checkpoints = folder / ".mlf" / "checkpoints"
    deadline = time.monotonic() + 300
    while not list(checkpoints.glob("*/checkpoint.json")):  # both ranks have trained 2 steps
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[1][-3000:]
        time.sleep(0.1)
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
