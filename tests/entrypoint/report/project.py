"""A tiny project whose runs a report can show: NumPy only, its loss logged to MLflow at every epoch, a declared
data file (so the data identity is recorded), `-P fail=1` for a training that fails after logging.

The loss depends on the seed (NumPy's global generator, which the contract seeds), so runs with one seed draw one
line and a run with another seed draws its own.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

TRAIN_PY = '''\
import argparse, os, pathlib, sys
import numpy as np
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

parser = argparse.ArgumentParser()
parser.add_argument("--output", type=pathlib.Path, required=True)
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--fail", type=int, default=0)
args = parser.parse_args()
offset = float(len(pathlib.Path("data.csv").read_bytes()))
weight = np.random.rand(4, 3)
losses = []
for epoch in range(args.epochs):
    weight = weight * 0.5 + np.random.rand(4, 3)
    losses.append(Metric("loss", float(weight.mean()) + offset / 1000, 0, epoch))
# one write for every epoch: the training child logs into the run mlf opened (MLFLOW_RUN_ID)
MlflowClient().log_batch(os.environ["MLFLOW_RUN_ID"], metrics=losses)
if args.fail:
    sys.exit(3)
args.output.mkdir(parents=True, exist_ok=True)
np.save(args.output / "weight.npy", weight)
'''

MLPROJECT = '''\
name: curves
entry_points:
  main:
    parameters:
      epochs: {{type: int, default: 4}}
      fail: {{type: int, default: 0}}
    command: "{python} train.py --output {{output_dir}} --epochs {{epochs}} --fail {{fail}}"
'''


def make_project(folder: Path, store_template: Path | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(TRAIN_PY)
    (folder / "MLproject").write_text(MLPROJECT.format(python=shlex.quote(sys.executable)))
    (folder / "pyproject.toml").write_text('[tool.mlf]\ndata = ["data.csv"]\n')
    (folder / "data.csv").write_text("x,y\n1,2\n3,4\n")
    if store_template is not None:
        shutil.copy(store_template, folder / "mlflow.db")
    return folder
