"""Everything the report says, derived once from the runs: the verdicts, each run's checklist and commands, and for
several runs the groups of identical results, the reasons they differ and the metrics plot. The page, the Markdown
summary and the JSON document all show this one object, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import checklist, compare, plot, rerun, verdict
from .model import Report, Run


@dataclass
class Content:
    report: Report
    rows: dict[str, list[checklist.Row]]
    commands: dict[str, list[rerun.Command]]
    groups: list[list[Run]]
    differences: list[compare.Difference]
    metric: str | None
    lines: list[plot.Series]
    files: list[dict] = field(default_factory=list)  # the crate's files: {"path", "sha256", "bytes"}
    command_line: str = ""

    @property
    def several(self) -> bool:
        return len(self.report.runs) > 1

    @property
    def failed(self) -> bool:
        return any(self.report.verdicts[run.run_id].failed for run in self.report.runs)

    def headline(self) -> str:
        """One sentence for the whole report."""
        runs = self.report.runs
        if not self.several:
            return self.report.verdicts[runs[0].run_id].headline
        distinct = len(self.groups)
        same = "all identical" if distinct == 1 and runs[0].fingerprint else f"{distinct} distinct results"
        return f"{len(runs)} runs, {same}"

    def to_dict(self) -> dict:
        report = self.report
        return {
            "headline": self.headline(), "generated": report.generated.isoformat(timespec="seconds"),
            "mlfcore_version": report.mlfcore_version, "tracking_uri": report.store,
            "runs": [{"run_id": run.run_id, "experiment": run.experiment, "status": run.status,
                      "fingerprint": run.fingerprint, "environment_key": run.tags.get("mlf.environment_key"),
                      "verdict": {"level": report.verdicts[run.run_id].level,
                                  "headline": report.verdicts[run.run_id].headline,
                                  "reasons": list(report.verdicts[run.run_id].reasons)},
                      "checklist": [row.to_dict() for row in self.rows[run.run_id]],
                      "commands": [command.to_dict() for command in self.commands[run.run_id]],
                      "proofs": [{"kind": p.kind, "run_id": p.by.run_id, "identical": p.identical,
                                  "fingerprint": p.by.fingerprint} for p in report.proofs[run.run_id]]}
                     for run in report.runs],
            "groups": [[run.run_id for run in group] for group in self.groups],
            "differences": [difference.to_dict() for difference in self.differences],
            "metric": self.metric,
            "plot_lines": [list(line.runs) for line in self.lines],
            "files": self.files,
        }


def assemble(report: Report, metric: str | None = None) -> Content:
    verdict.judge_all(report)
    rows = {run.run_id: checklist.rows(run, report.proofs[run.run_id]) for run in report.runs}
    commands = {run.run_id: rerun.commands(run, report.store, report.mlfcore_version) for run in report.runs}
    chosen = plot.choose_metric(report.runs, metric)
    lines = plot.series(report.runs, chosen) if chosen else []
    return Content(report, rows, commands, compare.groups(report.runs), compare.differences(report.runs), chosen,
                   lines)
