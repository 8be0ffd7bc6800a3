"""`mlf sync [--project DIR]`: deliver every run the project recorded but the tracking server has not received.

Exit code: 0 when nothing is left pending; 75 when runs are still pending (the server did not answer, refused one
of them, or they wait for another server: each is named); 2 for bad input (no server set, wrong credentials).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import console, variables
from ..errors import EXIT_OK, EXIT_UNDELIVERED, UsageError
from .options import OutputFormat, Project, TextOrJson, wants_json

Timeout = Annotated[Optional[float], typer.Option("--timeout", min=0, metavar="SECONDS",
                                                  help="How long to wait for a server that does not answer "
                                                       "\\[default: $MLF_DELIVERY_TIMEOUT, else 30].",
                                                  show_default=False)]


@console.data_command
def sync(
    project: Project = Path("."),
    timeout: Timeout = None,
    output_format: OutputFormat = TextOrJson.text,
) -> int:
    """Deliver the project's pending runs (recorded here, not yet on the tracking server) to the server
    $MLFLOW_TRACKING_URI names: everything they recorded, then their final state.

    Exit code: 0 when none is left pending; 75 when some still are; 2 for bad input.
    """
    from ..train import outbox, project as project_module, remote, sync as delivering, tracking

    if not project.is_dir():
        raise UsageError(f"project directory {project} does not exist", hint="give it with --project")
    root = project.resolve()
    store = tracking.resolve(root)
    entries = outbox.pending(root)
    if entries and not store.remote:
        targets = sorted({entry.target for entry in entries})
        raise UsageError(f"{len(entries)} run(s) wait for the tracking server {', '.join(targets)}, and "
                         f"{variables.MLFLOW_TRACKING_URI} names none",
                         hint=f"set {variables.MLFLOW_TRACKING_URI} to it (and MLFLOW_TRACKING_USERNAME / "
                              "MLFLOW_TRACKING_PASSWORD), then run mlf sync again")
    if entries:  # a server that is down is no bad input: the delivery waits for it, then says what is pending
        remote.check_scheme(store.remote)
    seconds = remote.patience_seconds() if timeout is None else timeout
    report = delivering.deliver_pending(store, root, project_module.output_root(root), seconds)
    for item in report.pending:
        console.error(f"run {item['run_id']} is still pending: {item['reason']}")
    for item in report.skipped:
        console.warn(f"run {item['run_id']} left for later: {item['reason']}")
    for item in report.elsewhere:
        console.error(f"run {item['run_id']} waits for the tracking server {item['server']}, not this one",
                      hint=f"set {variables.MLFLOW_TRACKING_URI} to it and run mlf sync again")
    if not entries:
        console.info("nothing to deliver: every run of this project is on its tracking server")
    if wants_json(output_format, False):
        console.out(json.dumps({"tracking_uri": store.shown if store.remote else None, **report.to_dict()},
                               indent=2))
    return EXIT_UNDELIVERED if report.pending or report.elsewhere else EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
