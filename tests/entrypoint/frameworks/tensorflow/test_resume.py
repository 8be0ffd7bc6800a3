"""Resume of the Keras example, for real: stopped in the middle of an epoch (or right after its last batch) and
resumed, it gives the bits of an uninterrupted run; resumed without restoring the random streams (Dropout's seed
generator, NumPy, Python) it does not; SIGTERM checkpoints and exits 143 within the grace period; and `mlf verify
--resume-at` passes on it under `mlf train`.

Two epochs of 22 batches (1347 digits, batches of 64): step 30 is batch 8 of the second epoch, step 22 the last
batch of the first.
"""

import json
import shutil
import sys

import pytest

from mlfcore.entrypoint import checkpoint, variables
from mlfcore.scaffold.golden import check

from ...conftest import clean_environment, mlf, tree_digest
from ...train.conftest import store_template  # noqa: F401 — the fixture
from ...train.projects import environment
from ...examples.preemption import sigterm_after

pytestmark = pytest.mark.slow

EXAMPLE = [sys.executable, "-m", "mlfcore.entrypoint.frameworks.tensorflow.examples.keras_digits", "--epochs", "2"]


def run_example(output, folder=None, *extra, **env):
    if folder is not None:
        env[variables.MLF_CHECKPOINT_DIR] = str(folder)
    return mlf("run", "--no-lint", "--", *EXAMPLE, "--output", str(output), *extra, env=clean_environment(**env))


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory):
    output = tmp_path_factory.mktemp("keras-uninterrupted")
    result = run_example(output)
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output)


def stopped(tmp_path_factory, step):
    folder = tmp_path_factory.mktemp(f"keras-checkpoint-{step}")
    result = run_example(tmp_path_factory.mktemp("unused"), folder, MLF_STOP_AT_STEP=str(step))
    assert result.returncode == 143, result.stderr[-3000:]
    return folder


@pytest.fixture(scope="session")
def stopped_at_30(tmp_path_factory):
    folder = stopped(tmp_path_factory, 30)
    manifest = json.loads((folder / checkpoint.MANIFEST).read_text())
    assert manifest["step"] == 30 and manifest["extra"]["position"] == [1, 8]
    return folder


def test_resumed_in_the_middle_of_an_epoch_equals_the_uninterrupted_run(uninterrupted, stopped_at_30, tmp_path):
    folder = shutil.copytree(stopped_at_30, tmp_path / "checkpoint")
    result = run_example(tmp_path / "out", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "out") == uninterrupted


def test_resumed_without_restoring_the_random_streams_differs(uninterrupted, stopped_at_30, tmp_path):
    folder = shutil.copytree(stopped_at_30, tmp_path / "checkpoint")
    result = run_example(tmp_path / "out", folder, "--no-restore-rng")
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "out") != uninterrupted


def test_resumed_after_an_epochs_last_batch_equals_the_uninterrupted_run(uninterrupted, tmp_path_factory, tmp_path):
    folder = stopped(tmp_path_factory, 22)
    assert json.loads((folder / checkpoint.MANIFEST).read_text())["extra"]["position"] == [0, 22]
    result = run_example(tmp_path / "out", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "out") == uninterrupted


@pytest.mark.stress
@pytest.mark.parametrize(("held_after", "stops_at"), [(4, 5), (22, 22)], ids=["mid-epoch", "after-an-epochs-last-step"])
def test_sigterm_checkpoints_exits_within_the_grace_period_and_the_resumed_run_matches(uninterrupted, tmp_path,
                                                                                       held_after, stops_at):
    """After step 4 the signal is acted on at the next step's end. After step 22, the first epoch's last batch, it
    lands while Keras ends the epoch, where no step end follows in that fit: the check after fit checkpoints. (Before
    that check acted, such a run exited 143 with no stop checkpoint: 2 of 12 runs beside three CPU burners.)"""
    folder = tmp_path / "checkpoint"
    code, stderr, manifest = sigterm_after(held_after, [*EXAMPLE, "--output", str(tmp_path / "a")], folder, tmp_path)
    assert code == 143, stderr[-3000:]
    assert manifest is not None, f"no checkpoint was written:\n{stderr[-3000:]}"
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["step"] == stops_at
    result = run_example(tmp_path / "b", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path / "b") == uninterrupted


def test_verify_resume_at_passes_on_the_example_under_mlf_train(tmp_path, store_template):  # noqa: F811
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(store_template, workspace / "mlflow.db")
    result = mlf("verify", str(workspace), "--no-lint", "-P", "epochs=2", "--resume-at", "30", "--json",
                 env=environment(MLF_IMAGE_EXAMPLE="keras_digits"), timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "stopped after step 30" in result.stderr
    # The resumed run (verify compared it with the uninterrupted one) gives the golden value too (docs/PROOF.md).
    outcome = check.of_run(workspace, json.loads(result.stdout)["runs"][1]["run_id"], "keras_digits", "venv",
                           params={"epochs": 2}, mode="resume-at=30")
    assert outcome.matched, outcome.failure
