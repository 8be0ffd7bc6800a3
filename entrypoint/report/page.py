"""The report for people: `ro-crate-preview.html`, one self-contained page (templates/report.html.j2, with its
style sheet inlined), rendered by Jinja2 with autoescaping on, so nothing a run recorded can become markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import plot
from .content import Content
from .model import Run

TEMPLATES = Path(__file__).parent / "templates"
# Output files listed on the page per run; the crate's metadata lists every one. A model saved as thousands of
# files would otherwise take the page past the ten pages one run's report may print to.
OUTPUT_ROWS = 20
VALUE_CHARACTERS = 400  # a difference's value on the page (a package list can be long); report.json has it whole
LEVEL_CLASSES = {"proven": "proven", "recorded": "recorded", "caveats": "caveats", "not reproducible": "failed"}


def code_spans(text: str):
    """Escape `text` and show its `backticked` parts as code: the verdicts and rows are written for Markdown too."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _text(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= VALUE_CHARACTERS else text[:VALUE_CHARACTERS] + "…"


def _run_view(content: Content, run: Run) -> dict:
    verdict = content.report.verdicts[run.run_id]
    when = run.end or run.start
    return {"id": run.run_id, "short": run.short, "experiment": run.experiment, "status": run.status,
            "when": when.strftime("%Y-%m-%d %H:%M UTC") if when else "time unknown",
            "level_class": LEVEL_CLASSES[verdict.level], "headline": verdict.headline, "reasons": verdict.reasons,
            "rows": [{**row.to_dict(), "record_name": Path(row.record).name if row.record else None}
                     for row in content.rows[run.run_id]],
            "commands": content.commands[run.run_id]}


def _side_by_side(content: Content) -> list[dict]:
    letters = {run.run_id: chr(ord("A") + index) for index, group in enumerate(content.groups) for run in group}
    runs = content.report.runs

    def field(name: str, values: list, hash_: bool = False) -> dict:
        return {"name": name, "cells": [_text(v) for v in values], "hash": hash_}

    contract = [run.records.get("contract") or {} for run in runs]
    return [field("result", [letters[run.run_id] for run in runs]),
            field("fingerprint", [run.fingerprint for run in runs], True),
            field("environment key", [run.tags.get("mlf.environment_key") for run in runs], True),
            field("seed", [c.get("seed") for c in contract]), field("threads", [c.get("threads") for c in contract]),
            field("host", [run.host for run in runs]),
            field("finished", [(run.end or run.start).strftime("%Y-%m-%d %H:%M") if (run.end or run.start)
                               else None for run in runs]),
            field("verdict", [content.report.verdicts[run.run_id].level for run in runs])]


def _files(content: Content) -> tuple[list[dict], int]:
    shown, hidden, per_run = [], 0, {}
    for entry in content.files:
        parts = entry["path"].split("/")
        if len(parts) > 3 and parts[2] == "outputs":
            per_run[parts[1]] = per_run.get(parts[1], 0) + 1
            if per_run[parts[1]] > OUTPUT_ROWS:
                hidden += 1
                continue
        shown.append(entry)
    return shown, hidden


def _plot_note(content: Content) -> str:
    identical = [line for line in content.lines if line.identical]
    count = len(content.lines)
    note = f"{count} distinct line{'s' if count != 1 else ''} for {len(content.report.runs)} run(s)"
    for line in identical:
        note += f"; runs {', '.join(r[:8] for r in line.runs)} are identical and drawn as one line"
    return note


def render(content: Content) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    report = content.report
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]),
                              undefined=StrictUndefined, keep_trailing_newline=True)
    environment.filters["code"] = code_spans
    from markupsafe import Markup

    files, hidden = _files(content)
    runs = report.runs
    title = f"run {runs[0].run_id}" if len(runs) == 1 else f"{len(runs)} runs: " + ", ".join(r.short for r in runs)
    return environment.get_template("report.html.j2").render(
        title=title, version=report.mlfcore_version, store=report.store,
        generated=report.generated.strftime("%Y-%m-%d %H:%M UTC"), css=Markup((TEMPLATES / "report.css").read_text()),
        several=content.several, headline=content.headline(), runs=[_run_view(content, run) for run in runs],
        side_by_side=_side_by_side(content) if content.several else [], distinct=len(content.groups),
        differences=[{**d.to_dict(), "a": d.a[:8], "b": d.b[:8], "left": _text(d.left), "right": _text(d.right)}
                     for d in content.differences],
        plot=Markup(plot.svg(content.lines, content.metric)) if content.lines else None, metric=content.metric,
        plot_note=_plot_note(content), files=files, hidden=hidden, command_line=content.command_line)
