"""Resume of the XGBoost example (hist, subsample=0.8, colsample_bytree=0.8), for real: stopped after round k and
continued from the checkpoint, it gives the bits of an uninterrupted run, also when stopped after the last round;
with XGBoost's own random state left alone (`--no-reseed`) a continued training differs from an uninterrupted one
(the control: the per-round reseeding is what makes it resumable); and `mlf verify --resume-at` passes on it under
`mlf train`."""

import json
import shutil
import sys

import pytest

from mlfcore.entrypoint import variables
from mlfcore.scaffold.golden import check

from ...conftest import clean_environment, mlf, tree_digest
from ...train.conftest import store_template  # noqa: F401 — the fixture
from ...train.projects import environment
from ...examples.preemption import sigterm_after

pytestmark = pytest.mark.slow

EXAMPLE = [sys.executable, "-m", "mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_digits", "--rounds", "10"]


def run_example(output, folder=None, *extra, **env):
    if folder is not None:
        env[variables.MLF_CHECKPOINT_DIR] = str(folder)
    result = mlf("run", "--no-lint", "--", *EXAMPLE, "--output", str(output), *extra, env=clean_environment(**env))
    assert result.returncode == (143 if variables.MLF_STOP_AT_STEP in env else 0), result.stderr[-3000:]
    return tree_digest(output) if result.returncode == 0 else None


def stopped_and_resumed(tmp_path, step, *extra):
    folder = tmp_path / "checkpoint"
    run_example(tmp_path / "unused", folder, *extra, MLF_STOP_AT_STEP=str(step))
    return run_example(tmp_path / "out", folder, *extra)


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory):
    return run_example(tmp_path_factory.mktemp("xgboost-uninterrupted"))


@pytest.mark.parametrize("step", [4, 10])
def test_continued_after_round_k_equals_the_uninterrupted_run(uninterrupted, tmp_path, step):
    assert stopped_and_resumed(tmp_path, step) == uninterrupted


@pytest.mark.stress
@pytest.mark.parametrize(("held_after", "stops_at"), [(4, 5), (10, 10)], ids=["mid-training", "after-the-last-round"])
def test_sigterm_checkpoints_and_the_continued_training_matches(uninterrupted, tmp_path, held_after, stops_at):
    """After round 4 the signal is acted on at the next round's end. After the last round it lands while XGBoost
    ends its loop, where no round end follows: the check after fit checkpoints (before it acted, such a run exited
    143 with no checkpoint at all)."""
    folder = tmp_path / "checkpoint"
    code, stderr, manifest = sigterm_after(held_after, [*EXAMPLE, "--output", str(tmp_path / "a")], folder, tmp_path)
    assert code == 143, stderr[-3000:]
    assert manifest is not None, f"no checkpoint was written:\n{stderr[-3000:]}"
    assert manifest["extra"]["stopped"] == "signal SIGTERM" and manifest["step"] == stops_at
    assert run_example(tmp_path / "out", folder) == uninterrupted


def test_without_the_per_round_reseeding_a_continued_training_differs(tmp_path):
    whole = run_example(tmp_path / "whole", None, "--no-reseed")
    assert stopped_and_resumed(tmp_path, 4, "--no-reseed") != whole


def test_verify_resume_at_passes_on_the_example_under_mlf_train(tmp_path, store_template):  # noqa: F811
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(store_template, workspace / "mlflow.db")
    result = mlf("verify", str(workspace), "--no-lint", "-P", "rounds=10", "--resume-at", "4", "--json",
                 env=environment(MLF_IMAGE_EXAMPLE="xgboost_digits"), timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "stopped after step 4" in result.stderr
    # The resumed run (verify compared it with the uninterrupted one) gives the golden value too (docs/PROOF.md).
    outcome = check.of_run(workspace, json.loads(result.stdout)["runs"][1]["run_id"], "xgboost_digits", "venv",
                           params={"rounds": 10}, mode="resume-at=4")
    assert outcome.matched, outcome.failure
