"""JAX's rules: one positive and one negative snippet each, which tests/entrypoint/lint/test_rules.py runs with every
other framework's (a linted rule without a case fails there)."""

from __future__ import annotations

JAX = "import jax\nimport jax.numpy as jnp\n"

# rule id → (prelude, positive statement, negative statement)
CASES: dict[str, tuple[str, str, str]] = {
    "jax-scatter-add": (JAX, "y = x.at[i].add(v)", "y = x.at[i].set(v)"),
    "jax-unique-indices": (JAX, "y = x.at[i].set(v, unique_indices=True)", "y = x.at[i].set(v)"),
    "jax-rbg-prng": (JAX, 'key = jax.random.key(0, impl="rbg")', "key = jax.random.key(0)"),
    "contract-jax-prng-impl": (JAX, 'jax.config.update("jax_default_prng_impl", "unsafe_rbg")',
                               'jax.config.update("jax_default_prng_impl", "threefry2x32")'),
    "contract-jax-threefry-partitionable": (JAX, 'jax.config.update("jax_threefry_partitionable", False)',
                                            'jax.config.update("jax_threefry_partitionable", True)'),
}
