"""The data: two Gaussian classes generated from a seeded NumPy generator (the base image has no scikit-learn)."""

from __future__ import annotations


def load(samples: int = 2000, features: int = 16, seed: int = 1234, test_fraction: float = 0.25):
    """(x_train, y_train, x_test, y_test); the data's own seed is fixed, so the data never depends on the run's."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, samples)
    centres = rng.normal(0.0, 1.0, (2, features))
    x = (centres[y] + rng.normal(0.0, 1.5, (samples, features))).astype(np.float64)
    cut = int(samples * (1 - test_fraction))
    return x[:cut], y[:cut], x[cut:], y[cut:]
