"""Resume of the JAX example, for real: stopped after step k (MLF_STOP_AT_STEP) or by SIGTERM and continued from the
checkpoint, it gives the bits of an uninterrupted run — its keys are functions of (seed, step), its pytrees and
position are in the checkpoint; continued under another seed it does not (the control: the keys decide)."""

import sys

import pytest

from mlfcore.entrypoint import variables

from ...conftest import clean_environment, mlf, tree_digest
from ...examples.preemption import sigterm_after

pytestmark = pytest.mark.slow

EXAMPLE = [sys.executable, "-m", "mlfcore.entrypoint.frameworks.jax.examples.jax_digits", "--epochs", "2"]
STEPS_PER_EPOCH = 22  # 1,347 training images in batches of 64


def run_example(output, folder=None, *flags, **env):
    if folder is not None:
        env[variables.MLF_CHECKPOINT_DIR] = str(folder)
    result = mlf("run", "--no-lint", *flags, "--", *EXAMPLE, "--output", str(output), env=clean_environment(**env))
    assert result.returncode == (143 if variables.MLF_STOP_AT_STEP in env else 0), result.stderr[-3000:]
    return tree_digest(output) if result.returncode == 0 else None


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    return run_example(tmp_path_factory.mktemp("jax-uninterrupted"))


@pytest.mark.parametrize("step", [5, STEPS_PER_EPOCH, 2 * STEPS_PER_EPOCH])
def test_stopped_after_step_k_and_continued_equals_the_uninterrupted_run(uninterrupted, tmp_path, step):
    folder = tmp_path / "checkpoint"
    run_example(tmp_path / "unused", folder, MLF_STOP_AT_STEP=str(step))
    assert run_example(tmp_path / "out", folder) == uninterrupted


def test_continued_under_another_seed_differs(uninterrupted, tmp_path):
    folder = tmp_path / "checkpoint"
    run_example(tmp_path / "unused", folder, MLF_STOP_AT_STEP="5")
    assert run_example(tmp_path / "out", folder, "--seed", "1") != uninterrupted


@pytest.mark.stress
@pytest.mark.parametrize(("held_after", "stops_at"), [(5, 6), (STEPS_PER_EPOCH, STEPS_PER_EPOCH)],
                         ids=["mid-epoch", "after-an-epoch"])
def test_sigterm_checkpoints_and_the_continued_training_matches(uninterrupted, tmp_path, held_after, stops_at):
    """Mid-epoch the signal is acted on at the next step's end; after an epoch's last step, at the boundary before
    the evaluation."""
    folder = tmp_path / "checkpoint"
    code, stderr, manifest = sigterm_after(held_after, [*EXAMPLE, "--output", str(tmp_path / "a")], folder, tmp_path)
    assert code == 143, stderr[-3000:]
    assert manifest is not None, f"no checkpoint was written:\n{stderr[-3000:]}"
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["step"] == stops_at
    assert run_example(tmp_path / "out", folder) == uninterrupted
