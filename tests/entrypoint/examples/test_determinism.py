"""Real trainings of the bundled examples: same bits under `mlf run` whatever the core count; different without it.

The negative cases prove each check can fail: on this project's 2-core machine, every example gives different bits
at 1 and 4 (or 2) threads when run without mlf.
"""

import subprocess
import sys

import pytest

from mlfcore.entrypoint import frameworks

from ..conftest import clean_environment, mlf, tree_digest

PY = sys.executable
ONE_CORE, TWO_CORES = ("taskset", "-c", "0"), ("taskset", "-c", "0,1")

pytestmark = pytest.mark.slow


def module(example: str) -> str:
    return frameworks.example_module(*frameworks.examples()[example])


def train(example, output, *flags, prefix=()):
    result = mlf("run", *flags, "--", PY, "-m", module(example), "--output", str(output), prefix=prefix)
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output), result.stderr


def train_without_mlf(example, output, threads):
    env = clean_environment(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
                            TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS=str(threads))
    result = subprocess.run([PY, "-m", module(example), "--output", str(output)],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output)


@pytest.mark.parametrize("example", ["pytorch_digits", "keras_digits"])
def test_neural_network_examples_give_the_same_bits_on_one_or_two_cores(example, tmp_path):
    first, _ = train(example, tmp_path / "a", prefix=TWO_CORES)
    second, _ = train(example, tmp_path / "b", prefix=TWO_CORES)
    one_core, _ = train(example, tmp_path / "c", prefix=ONE_CORE)
    assert first == second == one_core


@pytest.mark.parametrize("example", ["pytorch_digits", "keras_digits", "xgboost_digits"])
def test_without_mlf_the_thread_count_changes_the_bits(example, tmp_path):
    assert train_without_mlf(example, tmp_path / "t1", 1) != train_without_mlf(example, tmp_path / "t2", 2)


def test_xgboost_gives_the_same_bits_twice(tmp_path):
    assert train("xgboost_digits", tmp_path / "a")[0] == train("xgboost_digits", tmp_path / "b")[0]


def test_xgboost_is_core_count_independent_at_a_thread_count_every_host_can_give(tmp_path):
    # XGBoost caps nthread at the CPUs in the affinity mask (measured: 3.2.0), so only a thread count no larger than
    # the smallest host's CPU count is portable across affinity masks.
    one, _ = train("xgboost_digits", tmp_path / "a", "--threads", "1", prefix=ONE_CORE)
    two, _ = train("xgboost_digits", tmp_path / "b", "--threads", "1", prefix=TWO_CORES)
    assert one == two


def test_xgboost_under_a_smaller_affinity_mask_is_reported(tmp_path):
    capped, stderr = train("xgboost_digits", tmp_path / "a", "--threads", "2", prefix=ONE_CORE)
    assert "XGBoost will use 1 thread(s), not the contract's 2" in stderr
    full, _ = train("xgboost_digits", tmp_path / "b", "--threads", "2", prefix=TWO_CORES)
    assert capped != full  # what the warning is about
