"""Tiny projects for the train/verify/reproduce tests: NumPy only, trains in well under a second.

`weights` are drawn from NumPy's global generator, which the contract seeds in the child, so the same seed gives the
same bits; `-P noise=urandom` adds bytes no seed can fix, `-P noise=tensor` perturbs one tensor with an unseeded
generator (both make `mlf verify` fail, which proves the check can fail).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from ..conftest import clean_environment

TRAIN_PY = '''\
import argparse, json, os, pathlib
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--output", type=pathlib.Path, required=True)
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--noise", default="none")
args = parser.parse_args()
tensors = args.output / "tensors"
tensors.mkdir(parents=True, exist_ok=True)
weight = np.random.rand(4, 3)
for _ in range(args.epochs):
    weight = weight * 0.5 + np.random.rand(4, 3)
bias = weight.sum(axis=0)
if args.noise == "tensor":
    bias = bias + np.random.default_rng().normal(size=3) * 1e-6  # mlf: ignore[contract-unseeded-rng]
if args.noise == "urandom":
    (args.output / "noise.bin").write_bytes(os.urandom(16))
np.save(tensors / "layer.weight.npy", weight)
np.save(tensors / "layer.bias.npy", bias)
(args.output / "metrics.json").write_text(json.dumps({"loss": float(weight.mean())}))
print("trained", weight.mean())  # mlf train sends this to stderr: its stdout is data alone
'''

MLPROJECT = '''\
name: tiny
entry_points:
  main:
    parameters:
      epochs: {{type: int, default: 2}}
      noise: {{type: string, default: none}}
    command: "{python} train.py --output {{output_dir}} --epochs {{epochs}} --noise {{noise}}"
'''


def make_project(folder: Path, store_template: Path | None = None) -> Path:
    """A tiny MLproject project in `folder` (created); with `store_template`, an empty MLflow database copied in
    (creating one runs MLflow's migrations: ~9 s each on this project's machine)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(TRAIN_PY)
    (folder / "MLproject").write_text(MLPROJECT.format(python=shlex.quote(sys.executable)))
    if store_template is not None:
        shutil.copy(store_template, folder / "mlflow.db")
    return folder


def create_store_template(path: Path) -> Path:
    """An empty MLflow sqlite store at `path`, migrated once."""
    from mlflow.tracking import MlflowClient

    MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


def environment(**extra: str) -> dict[str, str]:
    """The clean test environment, without any MLflow setting of the machine running the tests."""
    env = clean_environment(**extra)
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID"):
        if name not in extra:
            env.pop(name, None)
    env.setdefault("NO_COLOR", "1")
    return env


def runs(project: Path, uri: str | None = None) -> list:
    """Every run in the project's store (none when the store was never created)."""
    if uri is None and not (project / "mlflow.db").exists():
        return []
    from mlflow.tracking import MlflowClient

    client = MlflowClient(uri or f"sqlite:///{project / 'mlflow.db'}")
    experiments = [e.experiment_id for e in client.search_experiments()]
    return client.search_runs(experiments) if experiments else []


def writable_for_everyone(folder: Path) -> None:
    """Containers run as uid 1000: let them write a tmp folder the test (root on CI) created."""
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)


def script_project(folder: Path, script: str, store_template: Path | None = None, extra: str = "") -> Path:
    """A project whose [tool.mlf.train] command is `python train.py`, with `script` as train.py: the fault and
    store tests use a few lines of Python, not a framework, to stay fast."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(script)
    command = f"{sys.executable} train.py"  # this interpreter: the one with mlflow (a child that logs needs it)
    (folder / "pyproject.toml").write_text(f'[tool.mlf]\n{extra}\n[tool.mlf.train]\ncommand = "{command}"\n')
    if store_template is not None:
        shutil.copy(store_template, folder / "mlflow.db")
    return folder
