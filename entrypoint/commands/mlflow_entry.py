"""`mlf mlflow-entry -- CMD ...` (hidden): what our images' entrypoint runs when `mlflow run` starts an entry point
in them (dispatch.py decides; train/mlflow_run.py does it): the command trains as `mlf train` would, in the run
MLflow opened."""

from __future__ import annotations

from typing import Annotated, List

import typer

from .. import console

NAME = "mlflow-entry"


def mlflow_entry(
    command: Annotated[List[str], typer.Argument(help="The entry point's command, as `mlflow run` rendered it.")],
) -> int:
    """Train the run `mlflow run` opened (MLFLOW_RUN_ID) under the determinism contract, recorded as by `mlf train`.

    Exit code: the training command's own; 1 when the pre-run lint finds errors or the training wrote no outputs;
    2 for bad input (the run, -P values, the project); 3 when the environment contradicts the contract.
    """
    from ..train import mlflow_run
    from .train import show

    result = mlflow_run.train(command)
    if result.exit_code != 0:
        console.error(f"the training command exited with {result.exit_code}; run {result.run_id} is marked failed")
    show(result)
    return result.exit_code


def register(app: typer.Typer) -> None:
    app.command(NAME, hidden=True, context_settings={"allow_interspersed_args": False})(mlflow_entry)
