"""The pre-run gate: the one policy `mlf run` and `mlf train` share for linting before a command starts.

- Scope: the files the command will import (lint/scope.py), or the whole project when the entry cannot be
  followed; the record says which and why.
- Device: the host's, read through NVML and CUDA_VISIBLE_DEVICES (never by importing a framework). On a host with
  no visible CUDA device, a finding that applies only to CUDA is reported, not blocking (Report.for_device).
- Blocking: an error-level finding for this host, or a file in scope that could not be checked completely. A run
  marked non-deterministic (--allow-nondeterministic) is never blocked, by `mlf run` and `mlf train` alike; its
  findings are still reported and recorded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ..frozen import Frozen
from ..variables import CUDA_VISIBLE_DEVICES

NVIDIA_DRIVER = "/proc/driver/nvidia"  # the NVIDIA kernel driver's proc folder: present wherever NVML can start
HINT = ("fix the findings (`mlf lint` explains each), silence one with `# mlf: ignore[RULE]` on its line, pass "
        "--allow-nondeterministic to run anyway (recorded as non-deterministic), or --no-lint to skip the check")
# Notes the engine writes for a file it could not check completely (a rule's internal error, size limits): such a
# file may hide an error, so the gate stops when the command imports it.
_INCOMPLETE = ("internal error", "larger than", "too deeply nested")


class Decision(Frozen):
    report: Report  # for this host's device
    device: str  # "cpu" | "cuda"
    scope: dict  # lint/scope.py Scope.to_dict()
    blocking: list[Finding]
    allowed: bool  # --allow-nondeterministic: reported, never blocking

    @property
    def blocked(self) -> bool:
        return bool(self.blocking) and not self.allowed

    def record(self) -> dict:
        """The report as stored in a run's record, with how the gate decided."""
        return {**self.report.to_dict(), "gate": {**self.scope, "device": self.device, "blocked": self.blocked,
                                                  "blocking": len(self.blocking),
                                                  "allow_nondeterministic": self.allowed}}

    def message(self) -> str:
        # Counts what the report shows: its errors, and apart from them the files checked incompletely (a warning
        # or a note there, blocking all the same: the findings they miss may be errors).
        errors = sum(1 for f in self.blocking if f.severity == "error")
        partial = len({f.path for f in self.blocking if f.severity != "error"})
        parts = [f"{errors} lint finding{'s' if errors != 1 else ''} at error level"] if errors else []
        if partial:
            parts.append(f"{partial} file{'s' if partial != 1 else ''} checked incompletely")
        what = f"{' and '.join(parts) or 'nothing'} for this host ({self.device})"
        where = ("in the files the command imports" if self.scope["scope"] == "imports"
                 else f"in the project ({self.scope['why']})")
        return f"{what} {where}: the command was not started"


def host_device(environ: Mapping[str, str] | None = None) -> str:
    """"cuda" when a CUDA program started here would see a device, else "cpu"."""
    environ = os.environ if environ is None else environ
    setting = environ.get(CUDA_VISIBLE_DEVICES)
    if setting is not None and setting.strip() in ("", "-1"):
        return "cpu"  # CUDA hides every device (and NVML need not be started)
    if sys.platform.startswith("linux") and not os.path.exists(NVIDIA_DRIVER):
        return "cpu"  # no NVIDIA kernel driver, so NVML cannot start: skip importing it (measured: 0.5-0.8 s)
    from ..sysinfo import gpu

    return "cuda" if gpu.collect(environ).get("visible_count") else "cpu"


def decide(project_dir: Path | str, config, command: list[str], *, allow_nondeterministic: bool = False,
           environ: Mapping[str, str] | None = None, device: str | None = None,
           jobs: int | None = None) -> Decision:
    """Lint what `command` will import, for this host's device, and decide whether it may start.

    `config` is the project's ProjectConfig or a LintConfig; `device` ("cpu" | "cuda") defaults to the host's."""
    from . import scope
    from .config import LintConfig, from_table

    root = Path(project_dir)
    if not isinstance(config, LintConfig):
        config = from_table(config.table("lint"), config.path)
    found = scope.resolve(command, root, config.exclude)
    device = device or host_device(environ)
    if not found.whole and not found.files:  # nothing of the project's is imported: no file to read
        return Decision(report=_LazyReport(config), device=device, scope=found.to_dict(root.resolve()), blocking=[],
                        allowed=allow_nondeterministic)
    from . import lint_paths

    paths = [root] if found.whole else found.files
    report = lint_paths(paths, base=root, config=config, jobs=jobs, cache=True).for_device(device)
    blocking = [f for f in report.findings if f.severity == "error" or _incomplete(f)]
    return Decision(report=report, device=device, scope=found.to_dict(root.resolve()), blocking=blocking,
                    allowed=allow_nondeterministic)


class _LazyReport:
    """The report of a command that imports none of the project's files: no finding, and the engine (its rules and
    tables, 10-15 ms of every `mlf run` start, `python -X importtime`) loaded only when the record asks for the
    rule tables it would have used."""

    has_errors = has_warnings = False
    findings: tuple = ()

    def __init__(self, config) -> None:
        self._config = config

    def to_dict(self) -> dict:
        from . import lint_paths

        return lint_paths([], config=self._config).to_dict()

    def __getattr__(self, name: str):
        from . import lint_paths

        return getattr(lint_paths([], config=self._config), name)


def _incomplete(finding: Finding) -> bool:
    return incomplete(finding.rule, finding.message)


def incomplete(rule: str, message: str) -> bool:
    """Whether a finding (also one read back from a run's lint record) says a file was not checked completely."""
    return rule == "file-incomplete" or (rule == "file-skipped" and any(part in message for part in _INCOMPLETE))
