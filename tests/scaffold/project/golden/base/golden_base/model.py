"""The model: logistic regression, trained by mini-batch gradient descent in NumPy."""

from __future__ import annotations


def init(features: int, rng):
    import numpy as np

    return {"weight": rng.normal(0.0, 0.01, features), "bias": np.zeros(1)}


def predict(params: dict, x):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-(x @ params["weight"] + params["bias"][0])))


def step(params: dict, x, y, learning_rate: float) -> float:
    """One gradient step on the batch (x, y); returns the batch's log loss before the step."""
    import numpy as np

    p = np.clip(predict(params, x), 1e-12, 1 - 1e-12)
    loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    error = p - y
    params["weight"] -= learning_rate * (x.T @ error) / len(y)
    params["bias"] -= learning_rate * np.mean(error)
    return loss
