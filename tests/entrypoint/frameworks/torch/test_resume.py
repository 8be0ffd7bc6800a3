"""Resume and preemption of the PyTorch example, for real: a run stopped after step k and resumed gives the bits of
an uninterrupted run; without restoring the random streams it does not; SIGTERM checkpoints and exits 143 within
the grace period; a SIGKILL in the middle of a checkpoint write leaves the previous checkpoint, which is then used.

Two epochs of 22 steps (1347 digits, batches of 64); stopping at step 30 crosses an epoch boundary and lands in
the middle of an epoch, where the DataLoader's position and the dropout generator matter.
"""

import json
import shutil
import signal
import subprocess
import sys

import pytest

from mlfcore.entrypoint import checkpoint, variables

from ...conftest import clean_environment, mlf, tree_digest
from ...examples.preemption import sigterm_after

pytestmark = pytest.mark.slow

EXAMPLE = [sys.executable, "-m", "mlfcore.entrypoint.frameworks.torch.examples.pytorch_digits", "--workers", "0", "--epochs", "2"]


def run_example(output, folder=None, *extra, **env):
    if folder is not None:
        env[variables.MLF_CHECKPOINT_DIR] = str(folder)
    return mlf("run", "--no-lint", "--", *EXAMPLE, "--output", str(output), *extra, env=clean_environment(**env))


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory):
    output = tmp_path_factory.mktemp("uninterrupted")
    result = run_example(output)
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output)


@pytest.fixture(scope="session")
def stopped_at_30(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checkpoint-30")
    result = run_example(tmp_path_factory.mktemp("unused"), folder, MLF_STOP_AT_STEP="30")
    assert result.returncode == 143, result.stderr[-3000:]
    manifest = json.loads((folder / checkpoint.MANIFEST).read_text())
    assert manifest["step"] == 30 and manifest["extra"]["position"] == [1, 8]
    assert manifest["extra"]["stopped"] == "MLF_STOP_AT_STEP=30"
    return folder


def test_resumed_after_step_30_equals_the_uninterrupted_run(uninterrupted, stopped_at_30, tmp_path):
    folder = shutil.copytree(stopped_at_30, tmp_path / "checkpoint")
    result = run_example(tmp_path / "out", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "out") == uninterrupted


def test_resumed_without_restoring_the_random_streams_differs(uninterrupted, stopped_at_30, tmp_path):
    folder = shutil.copytree(stopped_at_30, tmp_path / "checkpoint")
    result = run_example(tmp_path / "out", folder, "--no-restore-rng")
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "out") != uninterrupted


@pytest.mark.stress
@pytest.mark.parametrize(("held_after", "stops_at"), [(4, 5), (22, 22), (44, 44)],
                         ids=["mid-epoch", "after-an-epochs-last-step", "after-the-last-step"])
def test_sigterm_checkpoints_exits_within_the_grace_period_and_the_resumed_run_matches(uninterrupted, tmp_path,
                                                                                       held_after, stops_at):
    """After step 4 the signal is acted on at the next step's end. After an epoch's last step (22, and 44, the
    last of the training) it is acted on at the epoch's boundary, before the evaluation: no step end follows."""
    folder = tmp_path / "checkpoint"
    code, stderr, manifest = sigterm_after(held_after, [*EXAMPLE, "--output", str(tmp_path / "a")], folder, tmp_path)
    assert code == 143, stderr[-3000:]
    assert manifest is not None, f"no checkpoint was written:\n{stderr[-3000:]}"
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["step"] == stops_at
    result = run_example(tmp_path / "b", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "b") == uninterrupted


# A process that commits a checkpoint at step 35 over the one at step 30 and is SIGKILLed half-way through writing
# its payload: the moment a preemption's SIGKILL can land.
KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from mlfcore.entrypoint import checkpoint
folder = Path(sys.argv[1])
def half_then_killed(path):
    path.write_bytes(b"partial payload")
    os.kill(os.getpid(), signal.SIGKILL)
checkpoint.write_atomically(checkpoint.payload_path(folder, 35, 0), half_then_killed)
"""


@pytest.mark.stress
def test_sigkill_during_the_checkpoint_write_leaves_the_previous_checkpoint_which_is_used(
        uninterrupted, stopped_at_30, tmp_path):
    folder = shutil.copytree(stopped_at_30, tmp_path / "checkpoint")
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(folder)], env=clean_environment())
    assert killed.returncode == -signal.SIGKILL
    assert list((folder / "step-000035").iterdir())  # the half-written temporary file is there
    assert checkpoint.is_valid(folder) and checkpoint.read_manifest(folder)["step"] == 30
    result = run_example(tmp_path / "out", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "out") == uninterrupted


def test_a_checkpoint_from_another_environment_exits_3(stopped_at_30, tmp_path):
    folder = shutil.copytree(stopped_at_30, tmp_path / "checkpoint")
    manifest = json.loads((folder / checkpoint.MANIFEST).read_text())
    manifest["environment_key"] = "0" * 64
    (folder / checkpoint.MANIFEST).write_text(json.dumps(manifest))
    result = run_example(tmp_path / "out", folder, **{variables.MLF_ENVIRONMENT_KEY: "1" * 64})
    assert result.returncode == 3, result.stderr[-3000:]
    assert "environment key 000000000000" in result.stderr
    assert not (tmp_path / "out").exists()
