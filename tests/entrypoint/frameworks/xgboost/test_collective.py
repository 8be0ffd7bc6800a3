"""XGBoost with 2 workers through its collective (RabitTracker), fixed strided partitioning: the same model run to
run under `mlf run`; another seed gives another model (the check can fail)."""

import hashlib
import sys

import pytest

from ...conftest import mlf

pytestmark = pytest.mark.slow

EXAMPLE = [sys.executable, "-m", "mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_collective", "--workers", "2", "--rounds", "6"]


def model_digest(output, *flags):
    result = mlf("run", "--no-lint", *flags, "--", *EXAMPLE, "--output", str(output))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "strided: worker r of 2" in result.stdout
    return hashlib.sha256((output / "model.json").read_bytes()).hexdigest()


def test_two_workers_give_the_same_model_twice_and_another_seed_differs(tmp_path):
    first = model_digest(tmp_path / "a")
    assert model_digest(tmp_path / "b") == first
    assert model_digest(tmp_path / "c", "--seed", "1") != first
