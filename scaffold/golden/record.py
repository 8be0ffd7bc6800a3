"""`make golden` and `make golden-hosts`: measure the entries on this machine and write the table, deliberately.

record(): every selected entry is trained again. An unmeasured entry gets its first value; an unchanged value is
proven once more (this host joins its list); a changed value is written only with a reason of a known kind — the
example or template changed, a framework pin changed, the fingerprint algorithm's version changed, the contract
changed — and hosts that proved the old value lose it. Without a reason nothing is written (exit 2).

hosts(): the entries the test suite trains are trained again and compared; when every one gives its golden value,
this machine's kind of CPU is added to the hosts (or its list of proven entries grows). A mismatch writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from mlfcore.entrypoint.errors import CheckFailed, UsageError
from mlfcore.entrypoint.train import expect

from . import check, hosts
from .measure import Measured
from .table import RECORDS, Entry, Host, Table

# The kinds of reason a changed value may have (REASON="<kind>: <what changed>").
REASONS = {
    "example": "the example or the scaffold's template changed",
    "pin": "a framework or library pin changed (an image lock, the venv's pins)",
    "algorithm": "the fingerprint algorithm's version changed",
    "contract": "the determinism contract changed what the run does",
}
FIRST = "first recording"


@dataclass(frozen=True)
class Change:
    entry: Entry       # before
    measured: Measured

    def describe(self) -> str:
        return f"{self.entry.id}: {self.entry.fingerprint} -> {self.measured.fingerprint}"


def today() -> str:
    return datetime.date.today().isoformat()


def check_form(reason: str | None) -> str | None:
    """'<kind>: <what changed>' with a known kind, tidied; None for no reason (make passes an empty one)."""
    if not reason or not reason.strip():
        return None
    kind, _, text = reason.partition(":")
    if kind.strip() not in REASONS or not text.strip():
        kinds = ", ".join(f"{kind} ({why})" for kind, why in REASONS.items())
        raise UsageError(f"REASON={reason!r} must be '<kind>: <what changed>'; nothing written", hint=f"kinds: {kinds}")
    return f"{kind.strip()}: {text.strip()}"


def check_reason(reason: str | None, changes: list[Change]) -> str | None:
    """The reason, checked against the changes; UsageError (nothing written) when it is missing or does not fit."""
    if not changes:
        return reason
    listed = "\n  ".join(change.describe() for change in changes)
    kinds = ", ".join(f"{kind} ({why})" for kind, why in REASONS.items())
    if not reason:
        raise UsageError(f"{len(changes)} golden value(s) changed and no reason was given; nothing written:\n  {listed}",
                         hint=f"if the change is deliberate, run again with REASON='<kind>: <what changed>' "
                              f"(kinds: {kinds}); if not, it is a determinism bug: `mlf sysinfo --diff` and the "
                              "first differing artifact (`mlf verify`) say where")
    reason = check_form(reason)
    kind = reason.partition(":")[0]
    versions = {(expect.parse(c.entry.fingerprint, "old").algorithm, expect.parse(c.measured.fingerprint, "new")
                 .algorithm) for c in changes}
    moved = any(old != new for old, new in versions)
    if moved != (kind == "algorithm"):
        raise UsageError(f"REASON={reason!r} does not fit: the fingerprint algorithm's version "
                         f"{'changed' if moved else 'did not change'} ({sorted(versions)})",
                         hint="'algorithm: ...' is the reason exactly when the version moved")
    return reason


def _with_host(table: Table, record: dict, date: str) -> tuple[Table, Host]:
    host = hosts.find(table, record)
    if host is None:
        host = hosts.new(table, record, date)
        table = replace(table, hosts=(*table.hosts, host))
    return table, host


def _proved(table: Table, host: Host, entry_ids: Iterable[str]) -> Table:
    proved = tuple(dict.fromkeys((*host.proved, *entry_ids)))
    return replace(table, hosts=tuple(replace(h, proved=proved) if h.id == host.id else h for h in table.hosts))


def _forget(table: Table, entry_id: str, keep: str) -> Table:
    """Hosts other than `keep` proved the old value of `entry_id`, not the new one."""
    return replace(table, hosts=tuple(h if h.id == keep else replace(h, proved=tuple(p for p in h.proved
                                                                                     if p != entry_id))
                                      for h in table.hosts))


def record(table: Table, selected: list[Entry], measure: Callable[[Entry], Measured], reason: str | None,
           say: Callable[[str], None] = print, records=RECORDS) -> Table:
    """The table with every selected entry measured on this machine; raises UsageError for changes without a
    (fitting) reason, before anything is written."""
    date, results = today(), []
    for entry in selected:
        say(f"golden: training {entry.id} ...")
        measured = measure(entry)
        say(f"golden: {entry.id}: {measured.fingerprint} ({measured.seconds:.0f} s)"
            + ("" if measured.fingerprint == entry.fingerprint or not entry.fingerprint else
               f"  CHANGED from {entry.fingerprint}"))
        results.append((entry, measured))
    changes = [Change(e, m) for e, m in results if e.fingerprint and e.fingerprint != m.fingerprint]
    reason = check_reason(reason, changes)
    for entry, measured in results:
        table, host = _with_host(table, measured.record, date)
        if entry.fingerprint == measured.fingerprint:
            table = _proved(table, host, [entry.id])
            continue
        updated = entry.measured(measured.fingerprint, host.id, date, reason if entry.fingerprint else FIRST)
        table = replace(table, entries=tuple(updated if e.key == entry.key else e for e in table.entries))
        table = _proved(_forget(table, entry.id, host.id), host, [entry.id])
        hosts.save(updated, measured.record, records)
    return table


def prove(table: Table, selected: list[Entry], measure: Callable[[Entry], Measured],
          say: Callable[[str], None] = print) -> Table:
    """The table with this machine among the hosts of the selected entries, when it reproduces every one of them;
    CheckFailed (nothing written) naming each mismatch and what differs otherwise."""
    unmeasured = [entry.id for entry in selected if not entry.fingerprint]
    if unmeasured:
        raise UsageError(f"entries without a golden value: {', '.join(unmeasured)}", hint="run `make golden` first")
    outcomes = []
    for entry in selected:
        say(f"golden-hosts: training {entry.id} ...")
        measured = measure(entry)
        outcome = check.compare(table, entry, measured.fingerprint, measured.record)
        say(f"golden-hosts: {entry.id}: {'the golden value' if outcome.matched else 'DIFFERENT'} "
            f"({measured.seconds:.0f} s)")
        outcomes.append((outcome, measured))
    failures = [outcome.failure for outcome, _ in outcomes if not outcome.matched]
    if failures:
        raise CheckFailed("this machine does not reproduce the golden values; nothing written:\n"
                          + "\n".join(failures))
    table, host = _with_host(table, outcomes[0][1].record, today())
    return _proved(table, host, [entry.id for entry in selected])
