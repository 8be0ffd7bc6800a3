"""Preemption of `mlf train --nproc 2` (the PyTorch example under torchrun, 2 gloo ranks), for real: SIGTERM to the
whole process group of mlf, torchrun and the ranks, as Slurm signals every process of a job step. Every rank
checkpoints, mlf exits 143 within the grace period, the run is KILLED with the step it reached, and training again
resumes the same MLflow run to the fingerprint of an uninterrupted 2-rank run. A SIGTERM that reaches one rank
alone (one node of a multi-node job preempted) stops both at the same step, and the record names the signal. The
ranks are held at a chosen step's end until the signal reaches them (tests/entrypoint/hold), so the step the run
stops at is exact whatever the machine's load."""

import json
import os
import shutil
import signal
import subprocess

import pytest

from mlfcore.scaffold.golden import check

from ..conftest import MLF, mlf
from ..hold import sitecustomize as hold
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


def start_preemptible(folder, scratch, held_after: int, ranks=None, epochs: int = EPOCHS):
    """`mlf train` in a session of its own, checkpointing every 2 steps, the ranks in `ranks` (default all) held
    after step `held_after` until a signal reaches them (tests/entrypoint/hold); returns once they hold."""
    ready = scratch / "held"
    env = environment(MLF_IMAGE_EXAMPLE="pytorch_digits", MLF_CHECKPOINT_EVERY="2",
                      **hold.environment(held_after, ready, ranks))
    process = subprocess.Popen([*MLF, "train", str(folder), *ARGS, "-P", f"epochs={epochs}"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        held = hold.wait_until_held(ready, process, ranks or (0, 1))
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process, held


def train(folder, **env):
    return mlf("train", str(folder), *ARGS, "-P", f"epochs={EPOCHS}",
               env=environment(MLF_IMAGE_EXAMPLE="pytorch_digits", **env), timeout=600)


# 674 samples a rank, batches of 64: 11 steps an epoch. After step 2 the signal lands in the middle of an epoch;
# after step 11, the epoch's last, no step end follows before the evaluation: the epoch's boundary acts on it.
@pytest.mark.stress
@pytest.mark.parametrize(("held_after", "stops_at"), [(2, 3), (11, 11)], ids=["mid-epoch", "after-an-epochs-last-step"])
def test_sigterm_to_the_process_group_stops_every_rank_and_training_again_resumes_the_run(
        tmp_path, store_template, whole_fingerprint, held_after, stops_at):
    folder = workspace(tmp_path, store_template, "preempted")
    process, _ = start_preemptible(folder, tmp_path, held_after)
    checkpoints = folder / ".mlf" / "checkpoints"
    os.killpg(process.pid, signal.SIGTERM)  # mlf and torchrun at once; torchrun passes it on to the ranks
    stdout, stderr = process.communicate(timeout=GRACE_SECONDS)
    assert process.returncode == 143, stderr[-3000:]
    run_id = json.loads(stdout)["run_id"]
    manifest = json.loads((checkpoints / run_id / "checkpoint.json").read_text())
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["world_size"] == 2
    assert manifest["step"] == stops_at
    assert sorted(manifest["files"]) == [f"step-{manifest['step']:06d}/rank-{r}.pt" for r in (0, 1)]
    (run,) = runs(folder)
    assert run.info.status == "KILLED" and run.data.tags["mlf.step_reached"] == str(manifest["step"])

    resumed = train(folder)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert json.loads(resumed.stdout)["run_id"] == run_id
    assert json.loads(resumed.stdout)["fingerprint"] == whole_fingerprint
    (run,) = runs(folder)
    assert run.info.status == "FINISHED" and run.data.tags["mlf.resumed_from_step"] == str(manifest["step"])


@pytest.fixture(scope="module")
def whole_fingerprint(tmp_path_factory, store_template):
    """The fingerprint of an uninterrupted 2-rank run."""
    folder = workspace(tmp_path_factory.mktemp("whole"), store_template, "whole")
    whole = train(folder)
    assert whole.returncode == 0, whole.stderr[-3000:]
    # The golden value of 2 ranks (docs/PROOF.md).
    outcome = check.of_run(folder, json.loads(whole.stdout)["run_id"], "pytorch_digits", "venv",
                           params={"epochs": EPOCHS, "workers": 0}, mode="nproc=2")
    assert outcome.matched, outcome.failure
    return json.loads(whole.stdout)["fingerprint"]


@pytest.mark.stress
def test_sigterm_to_one_rank_stops_both_at_the_same_step_and_rank_0_records_the_signal(tmp_path, store_template):
    # Rank 0 writes the manifest and is never signalled: only the group's agreement tells it why it stops. Rank 1
    # holds after step 2 until its signal; rank 0 waits for it in step 3's agreement.
    folder = workspace(tmp_path, store_template, "one-rank")
    process, (rank_1,) = start_preemptible(folder, tmp_path, 2, ranks=[1])
    try:
        os.kill(rank_1, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=GRACE_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 143, stderr[-3000:]
    run_id = json.loads(stdout)["run_id"]
    manifest = json.loads((folder / ".mlf" / "checkpoints" / run_id / "checkpoint.json").read_text())
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["step"] == 3
    assert sorted(manifest["files"]) == [f"step-{manifest['step']:06d}/rank-{r}.pt" for r in (0, 1)]
    (run,) = runs(folder)
    assert run.info.status == "KILLED" and run.data.tags["mlf.step_reached"] == str(manifest["step"])
