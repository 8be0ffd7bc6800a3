"""`mlf report RUN_ID [RUN_ID ...]`: a reproducibility report of recorded runs, written as an RO-Crate folder."""

from __future__ import annotations

import importlib.util
import shlex
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .. import console, variables
from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError


class Format(str, Enum):
    html = "html"  # the crate and its page; nothing on stdout
    text = "text"  # the same as html: `text` and `json` are the formats every command takes (docs/cli.md)
    md = "md"  # also the short Markdown summary on stdout
    json = "json"  # also report.json on stdout


def _needs_report_extra() -> None:
    missing = [name for name in ("rocrate", "jinja2") if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"mlf report needs {' and '.join(missing)}, which are not installed",
                         hint="pip install 'mlfcore[report]'")


def store_of(project_dir: Path):
    """The tracking store that holds the runs: $MLFLOW_TRACKING_URI, else the project's (as `mlf reproduce`)."""
    from ..train import tracking

    if not project_dir.is_dir():
        raise UsageError(f"project directory {project_dir} does not exist", hint="give it with --project")
    store = tracking.resolve(project_dir.resolve())
    if store.remote:  # a lab's server holds every host's runs; this project's own copy is only what it trained
        return store.server()
    if store.local_path is not None and not store.local_path.exists():  # MLflow would create an empty store
        raise UsageError(f"no tracking store at {store.local_path}: no run was recorded there",
                         hint="give the project that `mlf train` ran in (--project), or set "
                              f"{variables.MLFLOW_TRACKING_URI}")
    return store


def _tell(content, target: Path) -> None:
    from rich.markup import escape

    for run in content.report.runs:
        verdict = content.report.verdicts[run.run_id]
        colour = {"proven": "green", "not reproducible": "red"}.get(verdict.level, "yellow")
        console.info(f"[bold {colour}]{escape(verdict.level)}[/] run {run.run_id}: {escape(verdict.headline)}")
    console.info(f"[bold]report[/] {escape(str(target / 'ro-crate-preview.html'))} (an RO-Crate: "
                 f"{escape(str(target / 'ro-crate-metadata.json'))})")


def report(
    run_ids: Annotated[List[str], typer.Argument(help="The MLflow run ids `mlf train` printed; several are "
                                                      "compared side by side.", metavar="RUN_ID...")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="The report's folder (an RO-Crate) "
                                                   "\\[default: report-<first run id's 8 first characters>].")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="html (or text): the crate only; md: also a short "
                                                  "Markdown summary on stdout; json: also report.json on "
                                                  "stdout.")] = Format.html,
    project_dir: Annotated[Path, typer.Option("--project", "-C", help="The project whose tracking store holds the "
                                              "runs (unless MLFLOW_TRACKING_URI is set).", file_okay=False)]
    = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report folder.")] = False,
    metric: Annotated[Optional[str], typer.Option("--metric", help="The metric to plot \\[default: the first one "
                                                  "every run logged, by name].")] = None,
    no_outputs: Annotated[bool, typer.Option("--no-outputs", help="Describe the outputs by their digests "
                                             "instead of copying them into the crate.")] = False,
) -> int:
    """Write a reproducibility report of recorded runs: an RO-Crate folder whose ro-crate-preview.html shows what
    the records prove, the evidence checklist, the commands that reproduce each run and, for several runs, their
    comparison.

    Exit code: 0 written; 1 written, and a run is not reproducible (no fingerprint, or a re-run that differed);
    2 for an unknown run or bad input (nothing written).
    """
    from ..report.build import build
    from ..train import tracking

    _needs_report_extra()
    target = (output or Path(f"report-{run_ids[0][:8]}")).absolute()
    store = store_of(project_dir)
    # The command as the page cites it; the output folder and project are this machine's paths and stay out.
    line = shlex.join(["mlf", "report", *run_ids, *(["--metric", metric] if metric else []),
                       *(["--no-outputs"] if no_outputs else [])])
    with tracking.in_project(project_dir.resolve()):
        content, document = build(store, run_ids, target, force=force, outputs=not no_outputs, metric=metric,
                                  command_line=line)
    _tell(content, target)
    if output_format is Format.md:
        console.out((target / "summary.md").read_text(encoding="utf-8"))
    elif output_format is Format.json:
        console.out(document)
    return EXIT_CHECK_FAILED if content.failed else EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("report")(report)
