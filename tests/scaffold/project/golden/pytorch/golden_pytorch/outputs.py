"""Byte-stable outputs: what `mlf` fingerprints after each run.

Tensors are saved one per .npy file (header and raw bytes, nothing time- or host-dependent), metrics as sorted JSON.
"""

from __future__ import annotations

import json
from pathlib import Path


def save_tensors(output: Path, named_arrays) -> None:
    import numpy as np

    folder = output / "tensors"
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in named_arrays:
        np.save(folder / f"{name.replace('/', '.')}.npy", np.ascontiguousarray(array), allow_pickle=False)


def save_metrics(output: Path, history: list[dict]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "metrics.json").write_text(json.dumps({"epochs": history}, indent=2, sort_keys=True) + "\n")


def log_epoch(row: dict) -> None:
    """Log one row of the history as MLflow metrics, only inside a run `mlf train` opened (it sets MLFLOW_RUN_ID).
    Logging draws no random numbers, so it cannot change the trained bits."""
    import os

    if not os.environ.get("MLFLOW_RUN_ID"):
        return
    import mlflow

    if mlflow.active_run() is None:
        mlflow.start_run(run_id=os.environ["MLFLOW_RUN_ID"])
    mlflow.log_metrics({key: float(value) for key, value in row.items() if key != "epoch"}, step=int(row["epoch"]))
