"""What a report is made of: the runs read from the store, the proofs found for them, and the report's verdicts.

Plain data: gather.py fills it from MLflow, verdict.py and checklist.py judge it, the renderers (page.py,
markdown.py, the crate) only show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..train import ownership, provenance

# The records `mlf train` logs under mlf/ (train/pipeline.py, train/resume.py), by their short names.
RECORDS = ("sysinfo", "contract", "lint", "params", "data", "fingerprint", "distributed")
# Where each run's files go in the crate.
RUNS_FOLDER = "runs"


def moment(milliseconds: int | None) -> datetime | None:
    """MLflow's times are milliseconds since the epoch, UTC."""
    return datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc) if milliseconds else None


@dataclass
class Run:
    """One MLflow run as the report sees it; `records` holds the mlf/*.json documents it logged."""

    run_id: str
    experiment: str
    status: str
    start: datetime | None
    end: datetime | None
    tags: dict[str, str]
    params: dict[str, str]
    records: dict[str, dict] = field(default_factory=dict)
    metrics: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # name → (step, value), by step
    outputs: list[str] = field(default_factory=list)  # the crate paths of its outputs, when copied
    asked: bool = True  # False for runs found as proof (a verify group's other runs, reproductions)

    @property
    def fingerprint(self) -> str | None:
        return self.tags.get(ownership.FINGERPRINT_TAG)

    @property
    def short(self) -> str:
        return self.run_id[:8]

    @property
    def folder(self) -> str:
        """This run's folder in the crate."""
        return f"{RUNS_FOLDER}/{self.run_id}"

    def record_path(self, name: str) -> str | None:
        """The crate path of record `name` (mlf/<name>.json), or None when the run did not log it."""
        return f"{self.folder}/mlf/{name}.json" if name in self.records else None

    @property
    def host(self) -> str | None:
        return ((self.records.get("sysinfo") or {}).get("collected") or {}).get("hostname")

    @property
    def image(self) -> str | None:
        return self.tags.get(provenance.IMAGE)

    @property
    def nondeterministic(self) -> bool:
        return "true" in (self.tags.get("mlf.nondeterministic"), self.params.get("mlf.allow_nondeterministic"))


@dataclass(frozen=True)
class Proof:
    """A run that re-did `of` (the other runs of its `mlf verify`, or an `mlf reproduce` of it) and its outcome."""

    kind: str  # "verify" | "reproduce"
    of: str  # the run it proves (or disproves)
    by: Run
    identical: bool
    resumed: bool = False  # `by` or `of` was stopped and resumed (verify --resume-at)


@dataclass(frozen=True)
class Verdict:
    """The top line of one run: what its record proves, never more.

    level: "proven" (re-done bit for bit, nothing held against it), "recorded" (fingerprinted, never re-done),
    "caveats" (fingerprinted, but something stands against determinism), "not reproducible" (no fingerprint, or a
    re-run that differed)."""

    level: str
    headline: str
    reasons: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.level == "not reproducible"


@dataclass
class Report:
    runs: list[Run]  # the runs asked for, in the order given
    related: dict[str, Run]  # runs found as proof, by id
    proofs: dict[str, list[Proof]]  # by the asked run's id
    generated: datetime
    mlfcore_version: str
    store: str  # the tracking store, credentials redacted
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def all_runs(self) -> list[Run]:
        return [*self.runs, *self.related.values()]
