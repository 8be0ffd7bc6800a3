"""The data: scikit-learn's bundled digits (no download), scaled to [0, 1] and split in a fixed order."""

from __future__ import annotations


def load(test_fraction: float = 0.25):
    """(x_train, y_train, x_test, y_test) as float32 images of shape (n, 8, 8) and int64 labels."""
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    cut = int(len(x) * (1 - test_fraction))
    return x[:cut], y[:cut], x[cut:], y[cut:]
