"""`--format md`: a short summary for a README or a paper's supplement, e.g. "reproduced bit for bit on 2 hosts,
2026-12-06, fingerprint 3511fcbe…", with the runs, their verdicts and the command that re-does the first run."""

from __future__ import annotations

from .content import Content

SHORT = 12  # hex digits of a fingerprint in the table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(content: Content) -> str:
    report = content.report
    first = report.runs[0]
    lines = [f"**Reproducibility** (mlfcore {report.mlfcore_version}): {_cell(content.headline())}", "",
             "| run | fingerprint | verdict |", "| --- | --- | --- |"]
    for run in report.runs:
        verdict = report.verdicts[run.run_id]
        fingerprint = f"`{run.fingerprint[:SHORT]}…`" if run.fingerprint else "none"
        lines.append(f"| `{run.run_id}` | {fingerprint} | {_cell(verdict.headline)} |")
    commands = content.commands[first.run_id]
    if commands:
        lines += ["", f"Re-do run `{first.short}` ({_cell(commands[0].what)}):", "", "```sh", commands[0].line, "```"]
    lines += ["", "The evidence (versions, hardware, seed protocol, hyperparameters, data, lint, proofs) with every "
              "record and its SHA-256: `ro-crate-preview.html` in the RO-Crate `mlf report` wrote."]
    return "\n".join(lines) + "\n"
