"""Several runs side by side: which gave the same result, and why those that differ do.

The reasons come from `mlf sysinfo --diff` (sysinfo.diff: the environment key's fields first, then the facts
outside it), followed by what the system record does not hold: the entry point's parameters, the data's tree hash
and the code's source hash, read from the runs' records and tags.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..train import provenance
from .model import Run

DATA_TAG = "mlf.data_tree_sha256"  # train/pipeline.py


@dataclass(frozen=True)
class Difference:
    """Why run `b` may differ from run `a`: one field, both values, why it matters."""

    a: str  # run ids
    b: str
    field: str
    left: object
    right: object
    why: str
    in_key: bool

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "field": self.field, "a_value": self.left, "b_value": self.right,
                "why": self.why, "in_key": self.in_key}


def groups(runs: list[Run]) -> list[list[Run]]:
    """The runs grouped by result fingerprint, in the order first seen; runs without one each stand alone."""
    found: dict[str, list[Run]] = {}
    alone: list[list[Run]] = []
    for run in runs:
        if run.fingerprint is None:
            alone.append([run])
        else:
            found.setdefault(run.fingerprint, []).append(run)
    return [*found.values(), *alone]


def _outside_the_record(a: Run, b: Run) -> list[Difference]:
    from .rerun import entry_params

    found = []
    pa, pb = entry_params(a), entry_params(b)
    changed = sorted(name for name in {*pa, *pb} if pa.get(name) != pb.get(name))
    if changed:
        found.append(Difference(a.run_id, b.run_id, "parameters", {n: pa.get(n) for n in changed},
                                {n: pb.get(n) for n in changed}, "other hyperparameters train another model", False))
    for field, tag, why in (("data", DATA_TAG, "other training data give other results"),
                            ("code", provenance.SOURCE, "other code gives other results")):
        if a.tags.get(tag) != b.tags.get(tag):
            found.append(Difference(a.run_id, b.run_id, field, a.tags.get(tag), b.tags.get(tag), why, False))
    return found


def reasons(a: Run, b: Run) -> list[Difference]:
    """What differs between the runs' environments and inputs, most important first."""
    from .. import sysinfo

    found = []
    first, second = a.records.get("sysinfo"), b.records.get("sysinfo")
    if first is not None and second is not None:
        found += [Difference(a.run_id, b.run_id, entry["field"], entry["a"], entry["b"], entry["why"],
                             entry["in_key"]) for entry in sysinfo.diff(first, second)]
    else:
        found.append(Difference(a.run_id, b.run_id, "sysinfo", first is not None, second is not None,
                                "a system record is missing: the environments cannot be compared", False))
    return found + _outside_the_record(a, b)


def differences(runs: list[Run]) -> list[Difference]:
    """For each result that differs from the first run's: the reasons, against the first run."""
    if len(runs) < 2:
        return []
    first, found = runs[0], []
    for group in groups(runs)[1:]:
        found += reasons(first, group[0])
    return found
