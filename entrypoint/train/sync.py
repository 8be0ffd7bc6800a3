"""Runs the project still owes its tracking server, delivered: by `mlf sync`, and first thing by every `mlf train`,
`verify` and `reproduce` that talks to the server (the pending queue is train/outbox.py, one run's delivery
train/delivery.py).

A run whose owner is alive (its training, or the delivery right after it, still running: ownership.owned) is left
to its owner. Runs whose owner died are settled first (ownership.reap), so the server gets their true final state.
When the server stops answering, the remaining runs wait for the next try: one unreachable server costs one wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import console
from . import delivery, outbox, ownership, remote, tracking


@dataclass
class Report:
    delivered: list[str] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)  # {"run_id", "reason"}: still to deliver to this server
    skipped: list[dict] = field(default_factory=list)  # {"run_id", "reason"}: its mlf is still running
    elsewhere: list[dict] = field(default_factory=list)  # {"run_id", "server"}: waits for another server

    def to_dict(self) -> dict:
        return {"delivered": self.delivered, "pending": self.pending, "skipped": self.skipped,
                "elsewhere": self.elsewhere}


def deliver_one(store: tracking.Store, project_root: Path, run_id: str, seconds: float, final: bool = True) -> str:
    """Deliver run `run_id` from the project's store to the server; with `final` and a run that ended, the pending
    entry goes. Returns the run's state. Raises remote.Unreachable or remote.ServerError."""
    root = Path(project_root).resolve()
    patience = remote.Patience(store.remote, seconds)
    with tracking.in_project(root):  # artifact locations in the project's store are relative to it
        status = delivery.Delivery(tracking.client(store), tracking.server_client(store), patience, root,
                                   run_id).run(final)
    if final and status in delivery.TERMINAL:
        outbox.done(root, run_id)
    return status


def deliver_pending(store: tracking.Store, project_root: Path, output_root: Path, seconds: float,
                    quiet: bool = False) -> Report:
    """Deliver every pending run of the project to the server `store.remote` names."""
    report = Report()
    entries = outbox.pending(project_root)
    if not entries or not store.remote:
        report.elsewhere += [{"run_id": e.run_id, "server": e.target} for e in entries]
        return report
    ownership.reap(tracking.client(store), output_root, project_root)
    unreachable: str | None = None
    for entry in entries:
        if not remote.same_server(entry.target, store.remote):
            report.elsewhere.append({"run_id": entry.run_id, "server": entry.target})
            continue
        if ownership.owned(output_root, entry.run_id):
            report.skipped.append({"run_id": entry.run_id, "reason": "its mlf is still running"})
            continue
        if unreachable:
            report.pending.append({"run_id": entry.run_id, "reason": unreachable})
            continue
        try:
            status = deliver_one(store, project_root, entry.run_id, seconds)
        except remote.Unreachable as err:
            unreachable = str(err)
            report.pending.append({"run_id": entry.run_id, "reason": unreachable})
            continue
        except remote.ServerError as err:
            if err.failure.kind == "unauthenticated":  # the same for every run: bad input (exit 2)
                raise
            report.pending.append({"run_id": entry.run_id, "reason": err.message})
            continue
        if status in delivery.TERMINAL:
            report.delivered.append(entry.run_id)
            if not quiet:
                console.info(f"delivered run {entry.run_id} ({status}) to {store.shown}")
        else:
            report.pending.append({"run_id": entry.run_id, "reason": f"it is {status} in the project"})
    return report


def catch_up(store: tracking.Store, project_root: Path, output_root: Path) -> None:
    """What `mlf train`, `verify` and `reproduce` do first against a server: deliver what is pending, say what is
    still pending, never fail for it."""
    if not store.remote or not outbox.pending(project_root):
        return
    report = deliver_pending(store, project_root, output_root, remote.patience_seconds())
    for item in report.pending:
        console.warn(f"run {item['run_id']} is still not on the tracking server: {item['reason']} (mlf sync "
                     "delivers it)")
