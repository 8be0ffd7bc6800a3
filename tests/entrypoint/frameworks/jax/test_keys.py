"""The run's PRNG key: the contract's PRNG whatever JAX_DEFAULT_PRNG_IMPL says, and the seed read as every entry
point reads MLF_SEED (unset and "" are the default, 0)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlfcore.entrypoint.frameworks.jax import hooks

# A fresh interpreter: JAX reads JAX_DEFAULT_PRNG_IMPL when it is imported.
PROGRAM = ("import jax; from mlfcore.entrypoint.frameworks.jax.keys import run_key; k = run_key(); "
           "print(jax.random.key_impl(k), jax.random.key_data(k).tolist())")


def key_in_child(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MLF_", "JAX_"))}
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          env={**environment, "JAX_PLATFORMS": "cpu", **env})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_key_uses_the_contract_prng_even_when_the_environment_names_another():
    default = key_in_child()
    assert default.startswith(hooks.PRNG_IMPL), default
    assert key_in_child(JAX_DEFAULT_PRNG_IMPL="rbg") == default


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_seed_is_the_default_seed(value):
    assert key_in_child(MLF_SEED=value) == key_in_child()


def test_the_seed_decides_the_key():
    assert key_in_child(MLF_SEED="7") != key_in_child(MLF_SEED="0")
