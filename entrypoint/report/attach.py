"""`mlf verify` and `mlf reproduce` attach the report of their runs to them, as the artifact folder `report/`
(MLflow's UI shows an HTML artifact in place: the run page's Artifacts tab opens `report/ro-crate-preview.html`).

The attached crate describes the outputs by their digests instead of copying them: MLflow holds them already,
under the same run. Attaching is a service, not the check: when it cannot be done (the `report` extra is not
installed, the store refuses the upload) the command says so and its exit code stays the check's.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from .. import console
from ..errors import MlfError
from ..train import tracking

FOLDER = "report"  # the artifact folder


def available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("rocrate", "jinja2"))


def attach(store: tracking.Store, run_ids: list[str], to: list[str], project_root: Path) -> None:
    """Write the report of `run_ids` and log it into each run of `to`."""
    from mlflow.exceptions import MlflowException

    from .build import build

    if not available():
        console.warn("the report is not attached to the run: pip install 'mlfcore[report]' adds it")
        return
    with tempfile.TemporaryDirectory(prefix="mlf-report-") as scratch, tracking.in_project(project_root):
        target = Path(scratch) / FOLDER
        try:
            build(store, run_ids, target, outputs=False, command_line=" ".join(["mlf", "report", *run_ids]))
            client = tracking.client(store)
            for run_id in to:
                client.log_artifacts(run_id, str(target), FOLDER)
        except (MlfError, MlflowException, OSError) as err:
            console.warn(f"the report could not be attached to the run: {getattr(err, 'message', None) or err}")
            return
    console.info(f"[bold]report[/] attached to run{'s' if len(to) != 1 else ''} {', '.join(to)} as "
                 f"{FOLDER}/ro-crate-preview.html (MLflow UI: the run's Artifacts tab)")
