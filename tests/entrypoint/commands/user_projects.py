"""Projects a user brings, written in the shape of mlflow/mlflow's own examples, unmodified for mlf.

Shape, from mlflow/mlflow examples/xgboost/xgboost_native (commit e52d70d6f210fdd94d05904d352c80c2cbee77fc):
MLproject with `name:`, `python_env: python_env.yaml`, float parameters and a `command: |` continued with
backslashes over four lines; train.py calls `mlflow.xgboost.autolog()` inside `with mlflow.start_run():` and logs
its own metrics, writing no file of its own. Our own additions: a `mlflow.set_experiment()` call (which used to end
in MLflow's "active experiment ID does not match environment run ID") and a python_env that names a package this
environment lacks. The Keras project saves `model.keras` (Keras' recommended format) into the output folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

XGB_MLPROJECT = """\
name: iris-boosting
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      eta: {type: float, default: 0.3}
      depth: {type: int, default: 3}
      rounds: {type: int, default: 4}
    command: |
        python fit.py \\
          --eta={eta} \\
          --depth={depth} \\
          --rounds {rounds}
"""

XGB_PYTHON_ENV = """\
python: "3.7"
build_dependencies:
  - pip
dependencies:
  - mlflow
  - xgboost>=1.0
  - scikit-learn
  - surely-not-installed-package==0.0.1
"""

XGB_FIT = """\
import argparse

import mlflow
import mlflow.xgboost
import xgboost
from sklearn.datasets import load_iris
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

cli = argparse.ArgumentParser()
cli.add_argument("--eta", type=float)
cli.add_argument("--depth", type=int)
cli.add_argument("--rounds", type=int)
options = cli.parse_args()

features, labels = load_iris(return_X_y=True)
train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=0.25, random_state=7)
mlflow.set_experiment("my-iris-experiment")
mlflow.xgboost.autolog(log_models=True)
with mlflow.start_run():
    booster = xgboost.train({"objective": "multi:softprob", "num_class": 3, "eta": options.eta,
                             "max_depth": options.depth},
                            xgboost.DMatrix(train_x, label=train_y), num_boost_round=options.rounds)
    predicted = booster.predict(xgboost.DMatrix(test_x)).argmax(axis=1)
    mlflow.log_metric("test_accuracy", accuracy_score(test_y, predicted))
    mlflow.log_param("scored_by", "accuracy")
"""

KERAS_MLPROJECT = """\
name: keras-tiny
entry_points:
  main:
    parameters:
      epochs: {type: int, default: 2}
      perturb: {type: int, default: 0}
    command: "python learn.py --epochs {epochs} --perturb {perturb} --out {output_dir}"
"""

KERAS_LEARN = """\
import argparse, os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import mlflow
import numpy as np

cli = argparse.ArgumentParser()
cli.add_argument("--epochs", type=int)
cli.add_argument("--perturb", type=int)
cli.add_argument("--out")
options = cli.parse_args()

inputs = np.random.rand(64, 4).astype("float32")
targets = (inputs.sum(axis=1, keepdims=True) > 2).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
history = model.fit(inputs, targets, epochs=options.epochs, batch_size=16, verbose=0)
if options.perturb:
    kernel = model.layers[0].kernel
    values = kernel.numpy()
    values[0, 0] += np.random.default_rng().normal() * 1e-3  # mlf: ignore[contract-unseeded-rng] -- one weight differs
    kernel.assign(values)
mlflow.log_metric("loss", history.history["loss"][-1])
model.save(os.path.join(options.out, "model.keras"))
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def xgboost_project(folder: Path) -> Path:
    return write(folder, {"MLproject": XGB_MLPROJECT, "python_env.yaml": XGB_PYTHON_ENV, "fit.py": XGB_FIT})


def keras_project(folder: Path) -> Path:
    return write(folder, {"MLproject": KERAS_MLPROJECT, "learn.py": KERAS_LEARN})


def venv_path() -> str:
    """PATH as an activated venv has it: `python` in the commands is this interpreter."""
    return os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
