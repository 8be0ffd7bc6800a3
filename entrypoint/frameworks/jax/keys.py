"""The run's PRNG key. JAX has no global generator to seed: a program makes keys from a seed and passes them on, so
the contract's seed reaches JAX through the key the program makes first."""

from __future__ import annotations

from ... import run_settings
from .hooks import PRNG_IMPL


def run_key(seed: int | None = None):
    """`jax.random.key(seed)` with the contract's PRNG (threefry2x32), the seed defaulting to the run's (MLF_SEED,
    else 0). Derive every other key from it with `jax.random.fold_in(key, n)`: a key that is a function of (seed, n)
    is the same in a resumed run as in an uninterrupted one."""
    import jax

    seed = run_settings.seed() if seed is None else seed
    # PRNG_IMPL is the contract's threefry2x32, a name the linter cannot read as a literal
    return jax.random.key(seed, impl=PRNG_IMPL)  # mlf: ignore[jax-rbg-prng]
