"""A lint run's result and its three renderings: text for people, JSON for programs, SARIF 2.1.0 for code scanning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from .model import SARIF_LEVELS, Finding, Rule, rank

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DEVICES = ("any", "cpu", "cuda")  # what `mlf lint --device` takes; the pre-run gate uses the host's
INFORMATION_URI = "https://github.com/mlfcore/mlfcore/blob/main/docs/lint.md"


@dataclass
class Report:
    findings: list[Finding]
    files: int
    lines: int
    tables: dict[str, str] = field(default_factory=dict)  # framework → rule table version used
    rules: dict[str, Rule] = field(default_factory=dict)  # every known rule (SARIF lists them)

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=lambda f: (f.path, f.cell, f.line, f.col, f.rule))

    def for_device(self, device: str) -> "Report":
        """This report for code that runs on `device` ("any", "cpu" or "cuda"). On "cpu", a finding that applies
        only to CUDA is kept, as info, saying so: it cannot raise or vary here, but the code may run elsewhere."""
        if device not in DEVICES:
            raise ValueError(f"unknown device {device!r}")
        if device != "cpu":
            return self
        findings = [replace(f, severity="info", message=f"{f.message} (CUDA only: not on a CPU-only host.)")
                    if f.device == "cuda" and f.severity != "info" else f for f in self.findings]
        return Report(findings=findings, files=self.files, lines=self.lines, tables=self.tables, rules=self.rules)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def has_warnings(self) -> bool:
        return any(f.severity == "warning" for f in self.findings)

    def exit_code(self, strict: bool = False) -> int:
        """0: no error-level finding (with strict: no warning either); 1 otherwise (README.md, "Exit codes")."""
        return 1 if self.has_errors or (strict and self.has_warnings) else 0

    # --- JSON ----------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings], "files": self.files, "lines": self.lines,
                "tables": dict(self.tables)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    # --- text ----------------------------------------------------------------------------------------------

    def render_text(self) -> str:
        """Errors and warnings with their code line, why and the fix; info notes one line each; a summary."""
        out: list[str] = []
        for finding in sorted(self.findings, key=lambda f: (-rank(f.severity), f.path, f.cell, f.line, f.col)):
            where = finding.where()
            if finding.severity == "info":
                out.append(f"{where} {finding.rule} info: {finding.message}")
                continue
            subject = f" `{finding.symbol}`" if finding.symbol else ""
            out.append(f"{where} {finding.rule} {finding.severity}:{subject} {finding.message}")
            if finding.code:
                number = str(finding.line)
                out.append(f"  {number} | {finding.code}")
                out.append(f"  {' ' * len(number)} | {' ' * (finding.col - 1)}^")
            out.append(f"  fix: {finding.fix}")
            out.append("")
        out.append(self.summary())
        return "\n".join(out) + "\n"

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s}{'s' if self.count(s) != 1 and s != 'info' else ''}"
                           for s in ("error", "warning", "info"))
        tables = ", ".join(f"{k} {v}" for k, v in sorted(self.tables.items()))
        return (f"mlf lint: {self.files} file{'s' if self.files != 1 else ''}, {self.lines} lines"
                f"{f' (rules for {tables})' if tables else ''}: {counts}")

    # --- SARIF ---------------------------------------------------------------------------------------------

    def to_sarif(self, tool_version: str = "0") -> dict[str, Any]:
        """A SARIF 2.1.0 log with one run, as GitHub code scanning reads it (rules listed in the driver; each
        result points at its rule by id and index, its file by a URI relative to the checkout)."""
        rule_ids = sorted(self.rules)
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        driver_rules = [{
            "id": rule_id,
            "name": "".join(part.capitalize() for part in rule_id.split("-")),
            "shortDescription": {"text": self.rules[rule_id].message},
            "fullDescription": {"text": self.rules[rule_id].message},
            "help": {"text": f"Fix: {self.rules[rule_id].fix}"},
            "helpUri": f"{INFORMATION_URI}#{rule_id}",
            "defaultConfiguration": {"level": SARIF_LEVELS[self.rules[rule_id].severity]},
        } for rule_id in rule_ids]
        results = []
        for finding in self.findings:
            result = {
                "ruleId": finding.rule,
                "level": SARIF_LEVELS[finding.severity],
                "message": {"text": f"{finding.message} Fix: {finding.fix}"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": _artifact(finding.path),
                    "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.col, 1)},
                }}],
            }
            if finding.rule in index:
                result["ruleIndex"] = index[finding.rule]
            if finding.cell:  # a notebook: the line is the cell's
                result["properties"] = {"cell": finding.cell}
            results.append(result)
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "mlf lint", "version": tool_version,
                                    "informationUri": INFORMATION_URI, "rules": driver_rules}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
                "results": results,
            }],
        }


def _artifact(path: str) -> dict[str, str]:
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}
