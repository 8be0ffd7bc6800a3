"""A run when $MLFLOW_TRACKING_URI names a tracking server: recorded first in the project, delivered second.

- At the start (the server answered moments ago in prepare): the run is created on the server, which draws its id;
  the project's store then records the same run under that id (tracking.adopt_run_id), and a pending entry is
  written (outbox.py). A refusal here (a read-only user: HTTP 403) is exit 2 before anything is left behind.
- Right after mlf's own start record (params, tags, sysinfo): a first delivery, so the lab sees the run with its
  parameters while it trains. It waits a few seconds at most; what it misses goes at the end.
- At the end, the whole run is delivered, its final state last. A server that does not answer for
  MLF_DELIVERY_TIMEOUT seconds (30 by default) leaves the run pending: mlf says so and exits 75.
"""

from __future__ import annotations

from pathlib import Path

from .. import console
from . import outbox, remote, sync, tracking

EARLY_PATIENCE_S = 5.0  # the delivery of the start record: never holds the training up for long
INTERRUPTED_PATIENCE_S = 5.0  # after Ctrl-C: one short try to tell the server the run was stopped
DELIVERED, PENDING = "delivered", "pending"


def create(client, store: tracking.Store, experiment_id: str, server_experiment_id: str, project_root: Path,
           experiment: str):
    """The run, created on the server and then in the project under the server's id."""
    from mlflow.exceptions import MlflowException

    server = tracking.server_client(store)
    user = remote.username(store.remote)
    made = remote.ask(store.remote, server.create_run, server_experiment_id,
                      tags={"mlflow.user": user} if user else None,
                      doing=f"create a run in experiment {experiment!r}")
    run_id = made.info.run_id
    try:
        local = client.create_run(experiment_id, run_name=made.info.run_name)
        tracking.adopt_run_id(store.local_path, local.info.run_id, run_id)
        outbox.add(project_root, run_id, store.remote, experiment)
        return client.get_run(run_id)
    except BaseException:
        try:  # nothing half-logged: the server's run goes too
            remote.ask(store.remote, server.delete_run, run_id, doing="delete the run", timeout=5)
        except (MlflowException, remote.ServerError):
            pass
        raise


def reopen(store: tracking.Store, run_id: str, project_root: Path, experiment: str) -> None:
    """A resumed run runs again on the server too."""
    outbox.add(project_root, run_id, store.remote, experiment)
    remote.ask(store.remote, tracking.server_client(store).update_run, run_id, status="RUNNING",
               doing="mark the resumed run RUNNING")


def early(store: tracking.Store, project_root: Path, run_id: str) -> None:
    try:
        sync.deliver_one(store, project_root, run_id, EARLY_PATIENCE_S, final=False)
    except (remote.Unreachable, remote.ServerError) as err:
        console.warn(f"the start of run {run_id} is recorded in the project, not yet on the tracking server "
                     f"({getattr(err, 'message', err)}): it is delivered when the training ends")


def finish(store: tracking.Store, project_root: Path, run_id: str, interrupted: bool = False) -> tuple[str, str]:
    """Deliver the ended run. Returns (DELIVERED or PENDING, why it is pending)."""
    seconds = INTERRUPTED_PATIENCE_S if interrupted else remote.patience_seconds()
    try:
        sync.deliver_one(store, project_root, run_id, seconds)
    except (remote.Unreachable, remote.ServerError) as err:
        reason = getattr(err, "message", None) or str(err)
        console.error(f"run {run_id} is recorded in the project ({Path(project_root) / tracking.STORE_FILE}) but "
                      f"not delivered: {reason}",
                      hint=f"`mlf sync` in {project_root} delivers it when the server answers (the next `mlf "
                           f"train` there tries too); MLF_DELIVERY_TIMEOUT sets how long mlf waits")
        return PENDING, reason
    return DELIVERED, ""


def url(store: tracking.Store, run_id: str, experiment_id: str | None) -> str | None:
    return remote.run_url(store.remote, experiment_id, run_id) if store.remote and experiment_id else None
