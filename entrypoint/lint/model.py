"""The linter's vocabulary: severities, rules, the call patterns that trigger them, and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Ordered: a finding's level decides the exit code (error → 1; warning → 1 only with --strict).
SEVERITIES = ("info", "warning", "error")
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Condition:
    """One test on a call's argument (or an assignment's value), as the framework documents it.

    `arg` is looked up by keyword, else by position in the match's `params`. Exactly one test is set:
    `given` (present and not None), `absent`, `in_` (literal value in the list), `not_in`, or `none` (passed as
    None in so many words: TOML has no null to list).
    `default` is the value the framework uses when the argument is left out. `unknown_holds=False` reads a value
    the source does not show as not matching (`os.putenv(name, ...)` is not about PYTHONHASHSEED).
    """

    arg: str
    test: str  # "given" | "absent" | "in" | "not_in" | "none"
    values: tuple[Any, ...] = ()
    default: Any = None
    has_default: bool = False
    unknown_holds: bool = True  # a value the source does not show: "maybe" (True) or "no" (a key like PYTHONHASHSEED)


@dataclass(frozen=True)
class Match:
    """Where a rule fires: calls of fully qualified `symbols`, methods named `methods` called on a framework's
    objects (only in a module that imports the framework), or assignments to `assigns`."""

    symbols: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    params: tuple[str, ...] = ()  # positional parameter names of the symbol form; methods drop the first
    when: tuple[Condition, ...] = ()
    framework: str = ""  # top-level module whose import enables `methods`
    # Installed-version facts this match needs, e.g. ("keras", "<", "3"): Keras 3's UpSampling2D lowers nearest
    # to `ops.repeat`, Keras 2's to a resize whose gradient raises. Checked once, when the rule set is built.
    requires: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DocEntry:
    """One bullet of a framework's own determinism documentation that a rule stands for."""

    list: str  # torch: "deterministic" (switches implementation) | "raises" (RuntimeError)
    text: str


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    message: str  # why it is non-deterministic
    fix: str  # what to do instead
    matches: tuple[Match, ...] = ()
    docs: tuple[DocEntry, ...] = ()
    framework: str = ""
    note: str = ""  # why a documented op has no match (e.g. it depends on the tensor's dtype only)
    # Context the code can show (lint/facts.py): where the op is a problem and what makes it none.
    device: str = "any"  # "cuda": raises or varies only on a CUDA device; "any": on every device
    backward: bool = False  # only differentiating it raises: nothing inside no_grad or on detached/CPU values
    input: str = ""  # the tensor argument whose stated facts decide (a method's receiver stands for it)
    unless: tuple[str, ...] = ()  # facts of `input` that make it a non-issue: "2d" (shape), "integer" (dtype)
    only: tuple[str, ...] = ()  # facts of `input` the code must state for the rule to fire: "quantized"
    docstring_error: str = ""  # where torch's docstring is wrong about this op, and the source that shows it


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    rule: str
    severity: str
    symbol: str
    message: str
    fix: str
    code: str = field(default="", compare=False)  # the source line, for the text report
    device: str = field(default="any", compare=False)  # the rule's device: "cuda" findings apply only there
    cell: int = field(default=0, compare=False)  # a notebook's code cell (1-based; 0: not a notebook)

    def to_dict(self) -> dict[str, Any]:
        found = {"path": self.path, "line": self.line, "col": self.col, "rule": self.rule,
                 "severity": self.severity, "symbol": self.symbol, "message": self.message, "fix": self.fix,
                 "device": self.device}
        if self.cell:
            found["cell"] = self.cell
        return found

    def where(self) -> str:
        cell = f"[cell {self.cell}]" if self.cell else ""
        return f"{self.path}{cell}:{self.line}:{self.col}"
