"""The JAX example, for real: the same bits under `mlf run` twice and on one core or two; without mlf, XLA's CPU
thread count (one thread per core by default) changes them, so the pin is what the equality rests on."""

import subprocess
import sys

import pytest

from ...conftest import clean_environment, mlf, tree_digest

pytestmark = pytest.mark.slow

MODULE = "mlfcore.entrypoint.frameworks.jax.examples.jax_digits"
ONE_CORE, TWO_CORES = ("taskset", "-c", "0"), ("taskset", "-c", "0,1")


def train(output, *flags, prefix=()):
    result = mlf("run", "--no-lint", *flags, "--", sys.executable, "-m", MODULE, "--output", str(output),
                 "--epochs", "1", prefix=prefix)
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output)


def train_without_mlf(output, prefix):
    result = subprocess.run([*prefix, sys.executable, "-m", MODULE, "--output", str(output), "--epochs", "1"],
                            env=clean_environment(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output)


def test_the_same_bits_twice_and_on_one_or_two_cores(tmp_path):
    first = train(tmp_path / "a", prefix=TWO_CORES)
    assert train(tmp_path / "b", prefix=TWO_CORES) == first
    assert train(tmp_path / "c", prefix=ONE_CORE) == first


def test_without_mlf_the_core_count_changes_the_bits(tmp_path):
    assert train_without_mlf(tmp_path / "one", ONE_CORE) != train_without_mlf(tmp_path / "two", TWO_CORES)


def test_the_seed_reaches_every_key(tmp_path):
    assert train(tmp_path / "seed0") != train(tmp_path / "seed1", "--seed", "1")
