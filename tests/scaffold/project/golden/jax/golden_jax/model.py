"""The model: a small network for 8x8 digit images, as JAX's functions of a list of layers (a pytree)."""

from __future__ import annotations

SIZES = (64, 128, 128, 10)
KEEP = 0.75  # dropout keeps three units in four


def init(key) -> list[dict]:
    """He-initialised dense layers, one key per layer (derived from `key`, so the same key gives the same model)."""
    import jax
    import jax.numpy as jnp

    return [{"w": jax.random.normal(jax.random.fold_in(key, index), (inputs, units)) * jnp.sqrt(2.0 / inputs),
             "b": jnp.zeros(units)}
            for index, (inputs, units) in enumerate(zip(SIZES[:-1], SIZES[1:]))]


def forward(params, x, key=None):
    """Logits for a batch of flattened images; with a key, dropout after each hidden layer (training)."""
    import jax
    import jax.numpy as jnp

    for index, layer in enumerate(params[:-1]):
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
        if key is not None:
            keep = jax.random.bernoulli(jax.random.fold_in(key, index), KEEP, x.shape)
            x = jnp.where(keep, x / KEEP, 0.0)
    return x @ params[-1]["w"] + params[-1]["b"]
