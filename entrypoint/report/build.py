"""One report, in order: read the runs and their proofs into a staging folder beside the target, judge them, write
the metric histories, the Markdown summary and report.json, render the page, describe every file in the crate's
metadata, and rename the folder into place (folder.py)."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from ..train import tracking
from . import content as assembled
from . import crate, folder, gather, markdown, page

SUMMARY = "summary.md"
DOCUMENT = "report.json"


def _version() -> str:
    try:
        return metadata.version("mlfcore")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _histories(staging: Path, content: assembled.Content) -> None:
    for run in content.report.all_runs():
        if run.metrics:
            path = staging / run.folder / "metrics.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({name: [{"step": s, "value": v} for s, v in points]
                                        for name, points in run.metrics.items()}, indent=1), encoding="utf-8")


def write(staging: Path, content: assembled.Content) -> str:
    """Write the crate's files into `staging`; returns report.json's text (what `--format json` prints)."""
    _histories(staging, content)
    (staging / SUMMARY).write_text(markdown.render(content), encoding="utf-8")
    content.files = crate.files(staging)  # report.json lists every file but itself
    document = json.dumps(content.to_dict(), indent=2, default=str) + "\n"
    (staging / DOCUMENT).write_text(document, encoding="utf-8")
    content.files = crate.files(staging)
    crate.write(staging, content, page.render(content))
    return document


def build(store: tracking.Store, run_ids: list[str], target: Path, *, force: bool = False, outputs: bool = True,
          metric: str | None = None, command_line: str = "") -> tuple[assembled.Content, str]:
    """Write the report of `run_ids` to `target`; returns its content and report.json's text. UsageError (nothing
    written) for an unknown run, a metric no run logged, or a target that cannot be written."""
    from ..errors import UsageError

    with folder.staged(target, force) as staging:
        report = gather.gather(store, run_ids, staging, outputs=outputs, version=_version())
        if metric is not None and not any(metric in run.metrics for run in report.runs):
            logged = sorted({name for run in report.runs for name in run.metrics})
            raise UsageError(f"no run logged the metric {metric!r}",
                             hint=f"the runs logged: {', '.join(logged) or 'no metric'}")
        content = assembled.assemble(report, metric)
        content.command_line = command_line
        document = write(staging, content)
    return content, document
