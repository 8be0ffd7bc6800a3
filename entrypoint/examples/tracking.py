"""MLflow logging for the bundled examples: metrics per epoch and the model in its flavour with a signature.

Active only under `mlf train`, which passes MLFLOW_RUN_ID (and the tracking URI) so the example logs into the run
mlf opened; run any other way (`mlf run`, plain python) the examples never import mlflow. Logging happens after the
outputs are written and draws no random numbers, so it cannot change the trained bits.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

RUN_ID = "MLFLOW_RUN_ID"  # MLflow's variable (entrypoint/variables.py names it too; examples import nothing of mlf)


def active() -> bool:
    return bool(os.environ.get(RUN_ID))


@lru_cache(maxsize=1)
def _run():
    import mlflow

    # Resumes the run mlf created; mlf, not this process, decides its final status.
    return mlflow.start_run(run_id=os.environ[RUN_ID])


def log_epoch(row: dict) -> None:
    """One row of the history ({"epoch": i, "loss": ..., ...}) as metrics at step i."""
    if not active():
        return
    import mlflow

    _run()
    mlflow.log_metrics({k: float(v) for k, v in row.items() if k != "epoch"}, step=int(row["epoch"]))


def _requirements(distributions: tuple[str, ...]) -> list[str]:
    """`name==version` for each of `distributions` that is installed (an image has tensorflow-cpu or tensorflow,
    xgboost-cpu or xgboost). A local label (torch's "+cpu") is not installable from PyPI; MLflow strips it too."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for distribution in distributions:
        try:
            found.append(f"{distribution}=={version(distribution).split('+')[0]}")
        except PackageNotFoundError:
            continue
    return found


def log_model(flavour: str, model, inputs, distributions: tuple[str, ...], *, predict=None,
              options: dict | None = None) -> None:
    """Log `model` with the MLflow flavour `flavour` ("pytorch", "keras", "xgboost") as "model", with a signature
    inferred from `inputs` and the model's predictions on them (`predict(inputs)`, by default `model.predict`);
    `options` go to the flavour's log_model. The pip requirements are given, not inferred: MLflow's inference starts
    a subprocess that imports the model (measured: 9 s for the torch example)."""
    if not active():
        return
    import importlib

    from mlflow.models import infer_signature

    _run()
    module = importlib.import_module(f"mlflow.{flavour}")
    signature = infer_signature(inputs, (predict or model.predict)(inputs))
    requirements = _requirements((*distributions, "mlflow-skinny", "numpy"))
    if options:  # chosen on purpose (the caller says why): the flavour's warning about it would only alarm
        logging.getLogger(f"mlflow.{flavour}").setLevel(logging.ERROR)
    module.log_model(model, name="model", signature=signature, pip_requirements=requirements, **(options or {}))
