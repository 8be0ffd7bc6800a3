"""What differs between the frameworks a project can start from: one row each, read by the templates.

The image, its pins and tags come from the image table (toolkit.py); this table holds only what the rendered code
needs: the training parameter the MLproject declares and the MLflow flavour the model is logged with.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    name: str          # the --framework value and the image's name in the image table
    summary: str       # one line for `mlf-scaffold list`
    parameter: str     # the training length parameter in MLproject
    default: int       # its default: small, so `mlf verify` (two trainings) stays quick
    model: str         # what model.py builds, for the docs


FRAMEWORKS: dict[str, Framework] = {
    "pytorch": Framework("pytorch", "PyTorch CNN on scikit-learn's digits, seeded DataLoader workers",
                         "epochs", 2, "a two-layer convolutional network"),
    "tensorflow": Framework("tensorflow", "Keras CNN on scikit-learn's digits", "epochs", 2,
                            "a two-layer convolutional network (Keras)"),
    "xgboost": Framework("xgboost", "XGBoost hist classifier on scikit-learn's digits with subsampling", "rounds", 20,
                         "a gradient-boosted tree ensemble with row and column subsampling"),
    "base": Framework("base", "NumPy logistic regression on generated data (no framework)", "epochs", 20,
                      "a logistic regression trained by mini-batch gradient descent in NumPy"),
}
DEFAULT = "pytorch"


def names() -> tuple[str, ...]:
    return tuple(FRAMEWORKS)
