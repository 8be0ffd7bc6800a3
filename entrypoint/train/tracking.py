"""MLflow tracking for `mlf train`: where the store is, that it is writable, and one run's life.

The store is `sqlite:///<project>/mlflow.db` with artifacts in `<project>/mlruns/`, or the local store
$MLFLOW_TRACKING_URI names (sqlite:, file:). When $MLFLOW_TRACKING_URI names a tracking server (http(s)://, or a
database such as postgresql+psycopg2://), the run is still recorded in the project's own store first and then
delivered to the server under the same run id (train/delivery.py): record first, deliver second. The default is MLflow 3.17's own default (`mlflow.tracking._tracking_service.utils._get_default_tracking_uri`
returns sqlite:///mlflow.db; its file store refuses to open unless MLFLOW_ALLOW_FILE_STORE=true, "maintenance
mode"), so `mlflow ui` started in the project folder opens it with no option. The artifact folder is given
explicitly: MLflow would otherwise resolve ./mlruns against whatever the working directory is.

The training child logs into the same run in the project's store: it gets MLFLOW_TRACKING_URI and MLFLOW_RUN_ID
(`mlflow.start_run()` resumes the run named there), never the server or its credentials. mlf ends the run last, FINISHED only when the child succeeded and the fingerprint was
taken, so a failed or interrupted training never shows as a successful run.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .. import variables
from ..errors import UsageError

STORE_FILE = "mlflow.db"
ARTIFACT_DIR = "mlruns"
# The params mlf records for itself (train/pipeline.py _params); `mlf reproduce` leaves them out of the entry point's.
PARAM_PREFIX = "mlf."
# The entry point's parameters: params `mlf.param.<name>` (shown in the UI) and the artifact PARAMS_ARTIFACT (what
# `mlf reproduce` replays). Never plain params: the user's code logs its own (autolog logs an estimator's `alpha`),
# and MLflow refuses a second, different value for a param ("Changing param values is not allowed").
ENTRY_PARAM_PREFIX = "mlf.param."
PARAMS_ARTIFACT = "mlf/params.json"
# A tracking server's credentials as MLflow reads them: never passed to the training child.
CREDENTIALS = (variables.MLFLOW_TRACKING_USERNAME, variables.MLFLOW_TRACKING_PASSWORD, variables.MLFLOW_TRACKING_TOKEN)


@dataclass(frozen=True)
class Store:
    uri: str
    local_path: Path | None  # the folder or database file, for local stores
    artifact_root: Path | None  # where mlf puts a new experiment's artifacts (the default store only)
    default: bool  # True when mlf chose it (no MLFLOW_TRACKING_URI, or one naming a server)
    remote: str | None = None  # the tracking server ($MLFLOW_TRACKING_URI) the record is delivered to

    @property
    def shown(self) -> str:
        """Where the runs are, for people and records: the server's URI (credentials masked), else the store's."""
        from .remote import display

        return display(self.remote or self.uri)

    def ui_command(self, project_root: Path, run_url: str | None = None) -> str:
        if run_url:  # a server is its own UI: the run's page
            return run_url
        if self.remote:
            return self.shown
        if self.default:
            return f"cd {project_root} && mlflow ui   (pip install 'mlfcore[ui]' brings it; opens {self.uri})"
        return f"mlflow ui --backend-store-uri {self.uri}"

    def server(self) -> Store:
        """The server as a store of its own (to read recorded runs from it)."""
        return Store(self.remote or self.uri, None, None, False)


def resolve(project_root: Path, environ: Mapping[str, str] | None = None) -> Store:
    from .remote import is_remote

    environ = os.environ if environ is None else environ
    uri = environ.get(variables.MLFLOW_TRACKING_URI, "").strip()
    if not uri or is_remote(uri):
        database = Path(project_root) / STORE_FILE
        return Store(f"sqlite:///{database}", database, Path(project_root) / ARTIFACT_DIR, True, uri or None)
    parsed = urlparse(uri)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:////abs/file.db is absolute, sqlite:///file.db relative: either way the path after the first "/".
        return Store(uri, Path(path[1:]) if path else None, None, False)
    if parsed.scheme in ("", "file"):
        return Store(uri, Path(unquote(parsed.path)), None, False)
    return Store(uri, None, None, False)


def _probe(folder: Path, what: str, create: bool = False) -> None:
    """Write and remove a file in `folder`: the one test that also holds for root and read-only mounts."""
    try:
        if create:
            folder.mkdir(exist_ok=True)  # one level only: a typo in a URI must not create folders anywhere
        handle, name = tempfile.mkstemp(dir=folder, prefix=".mlf-write-test-")
        os.close(handle)
        os.unlink(name)
    except OSError as err:
        raise UsageError(f"the MLflow tracking store is not writable: {what} {folder}: {err.strerror or err}",
                         hint=f"make it writable, or set {variables.MLFLOW_TRACKING_URI} to a store you can write "
                              "(in a container: run it as the folder's owner, docker run --user \"$(id -u):$(id -g)\" "
                              "...; under `mlflow run`: -A user=0, and mlf trains as the project's owner)") from None


def check_folder(store: Store) -> None:
    """A local sqlite store's folder must take new files: probed first, writing nothing that stays, so an
    unwritable project (a container's uid) is named as such before any other check."""
    if store.uri.startswith("sqlite:") and store.local_path is not None and store.local_path.parent.is_dir():
        _probe(store.local_path.parent, "cannot create files in")


def check_writable(store: Store) -> None:
    """Raise UsageError (exit 2) before any training when the store cannot be used: not writable, broken,
    unreachable. A missing local store is created here, whole or not at all (store.py)."""
    from . import store as safe

    if store.local_path is None:
        return
    if not store.default and not store.local_path.parent.exists():
        raise UsageError(f"the folder of the MLflow tracking store does not exist: {store.local_path.parent}",
                         hint=f"create it, or fix {variables.MLFLOW_TRACKING_URI}")
    if store.uri.startswith("sqlite:"):
        if store.local_path.exists():  # a broken store is refused before anything is written
            safe.check_sqlite(store.local_path, store.uri)
        _probe(store.local_path.parent, "cannot create files in")
        if store.local_path.is_file() and not os.access(store.local_path, os.W_OK):
            raise UsageError(f"the MLflow tracking store is not writable: {store.local_path}",
                             hint="make the file writable, or set MLFLOW_TRACKING_URI to another store")
    else:
        _probe(store.local_path, "cannot create files in", create=True)
    if store.artifact_root is not None:
        _probe(store.artifact_root, "cannot create artifacts in", create=True)
    if store.uri.startswith("sqlite:"):
        safe.ensure_sqlite(store.local_path, store.uri, store.artifact_root, store.default)


def quiet() -> None:
    """MLflow logs INFO lines (database migrations, experiment creation) that are noise in `mlf train`'s output."""
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def client(store: Store):
    """The client of the store runs are recorded in (the project's, when a server is set)."""
    from mlflow.tracking import MlflowClient

    quiet()
    return MlflowClient(tracking_uri=store.uri)


def server_client(store: Store):
    """The client of the tracking server the record is delivered to."""
    from mlflow.tracking import MlflowClient

    quiet()
    return MlflowClient(tracking_uri=store.remote)


def check_remote_reachable(store: Store) -> None:
    """The server's URI has a scheme MLflow knows, and its host (or database) takes a connection: exit 2 at once
    otherwise, never MLflow's minutes of retries."""
    from . import remote, store as safe

    remote.check_scheme(store.remote)
    if store.remote.startswith(("http://", "https://")):
        safe.check_reachable(store.remote)
    elif not store.remote.startswith(("databricks", "uc")):
        safe.check_database(store.remote)


def check_remote(store: Store, experiment: str) -> str:
    """Before anything is written: the server named in $MLFLOW_TRACKING_URI answers as MLflow, accepts the user,
    and has (or now has) experiment `experiment`. Returns its id there; ServerError (exit 2) otherwise."""
    from mlflow.exceptions import MlflowException

    from . import remote

    check_remote_reachable(store)
    server = server_client(store)

    found = remote.ask(store.remote, server.get_experiment_by_name, experiment, doing="read experiments")
    if found is not None:
        if found.lifecycle_stage == "deleted":
            raise UsageError(f"experiment {experiment!r} is deleted on the tracking server {store.shown}",
                             hint="restore it (mlflow experiments restore) or choose another --experiment")
        return found.experiment_id
    try:
        return remote.ask(store.remote, server.create_experiment, experiment,
                          doing=f"create experiment {experiment!r}")
    except (MlflowException, remote.ServerError):
        # Two first runs at once: the other one created it between our look-up and our create.
        found = remote.ask(store.remote, server.get_experiment_by_name, experiment, doing="read experiments")
        if found is None:
            raise
        return found.experiment_id


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "experiment"


def experiment_id(store: Store, name: str) -> str:
    """The id of experiment `name`, created when missing (with its artifacts in the project for the default store).

    Any failure to reach or write the store is a UsageError: it happens before training starts."""
    from mlflow.exceptions import MlflowException

    try:
        tracking = client(store)
        found = tracking.get_experiment_by_name(name)
        if found is not None:
            if found.lifecycle_stage == "deleted":
                raise UsageError(f"experiment {name!r} is deleted in {store.uri}",
                                 hint="restore it (mlflow experiments restore) or choose another --experiment")
            _check_artifact_location(found.artifact_location, name)
            return found.experiment_id
        location = (store.artifact_root / _slug(name)).as_uri() if store.artifact_root else None
        try:
            created = tracking.create_experiment(name, artifact_location=location)
        except MlflowException as err:
            # Two first runs at once: the other one created it between our look-up and our insert.
            found = tracking.get_experiment_by_name(name)
            if found is None:
                raise err from None
            return found.experiment_id
        if store.artifact_root is not None and store.local_path is not None:
            from .store import make_relative

            make_relative(store.local_path, created, f"{ARTIFACT_DIR}/{_slug(name)}")
        return created
    except MlflowException as err:
        raise UsageError(f"cannot use the MLflow tracking store {store.uri}: {err.message}",
                         hint=f"check {variables.MLFLOW_TRACKING_URI} and that the store is writable") from None


def run_experiment(store: Store, run_id: str) -> tuple[str, str]:
    """The id and name of the experiment an existing run belongs to; UsageError when the store has no such run."""
    from mlflow.exceptions import MlflowException

    try:
        tracking = client(store)
        experiment = tracking.get_experiment(tracking.get_run(run_id).info.experiment_id)
    except MlflowException as err:
        raise UsageError(f"run {run_id} is not in the MLflow tracking store {store.uri}: {err.message}",
                         hint=f"check {variables.MLFLOW_RUN_ID} and {variables.MLFLOW_TRACKING_URI}") from None
    return experiment.experiment_id, experiment.name


@contextmanager
def in_project(root: Path):
    """Run MLflow client calls from the project folder: relative artifact locations resolve against it."""
    previous = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(previous)


def _check_artifact_location(location: str, name: str) -> None:
    """A local artifact folder must exist here: a store written in a container by an older mlf names
    /workspace/mlruns/..., which on the host does not exist (and root would create it at the file system's root).
    A relative location (what mlf writes now) is the project's own folder."""
    parsed = urlparse(location)
    if parsed.scheme not in ("", "file") or not Path(unquote(parsed.path)).is_absolute():
        return
    folder = Path(unquote(parsed.path))
    if not folder.parent.is_dir():
        raise UsageError(f"experiment {name!r} keeps its artifacts in {folder}, which does not exist here (was the "
                         "store written in a container?)",
                         hint="run the command where the store was written (mlf reproduce prints the docker run "
                              "line), or pass --experiment with a new name")


def adopt_run_id(database: Path, created: str, run_id: str) -> None:
    """Give the run just created in the project's sqlite store the id the tracking server gave it, so the run has
    one id everywhere: in `mlf train`'s summary, the output folder, the checkpoints, and on the server. A REST
    CreateRun takes no id (the server draws it: SqlAlchemyStore.create_run, uuid.uuid4), and neither does the
    client, so the fresh local row is renamed once. At that moment only its `runs` row and its `tags` rows exist
    (SqlAlchemyStore.create_run writes nothing else); its artifact URI ends in the id and changes with it."""
    import sqlite3

    with sqlite3.connect(database, timeout=30) as connection:
        connection.execute("UPDATE tags SET run_uuid = ? WHERE run_uuid = ?", (run_id, created))
        connection.execute("UPDATE runs SET run_uuid = ?, artifact_uri = replace(artifact_uri, ?, ?) "
                           "WHERE run_uuid = ?", (run_id, created, run_id, created))


def child_environment(store: Store, run_id: str, experiment: str, experiment_name: str = "") -> dict[str, str]:
    """What the training child needs to log into the same run (in the project's store, never the server's)."""
    return {variables.MLFLOW_TRACKING_URI: store.uri, variables.MLFLOW_RUN_ID: run_id,
            variables.MLFLOW_EXPERIMENT_ID: experiment, variables.MLF_EXPERIMENT: experiment_name}


def entry_params(values: Mapping[str, object]) -> dict[str, str]:
    """The entry point's parameters as mlf's params (`mlf.param.<name>`)."""
    return params_text({f"{ENTRY_PARAM_PREFIX}{name}": value for name, value in values.items()})


def recorded_entry_params(store: Store, run) -> dict[str, str]:
    """The entry point's parameters of a recorded run: mlf/params.json, else the `mlf.param.*` params, else (runs
    of mlf before both existed) every param outside `mlf.*`."""
    import json

    from mlflow.exceptions import MlflowException

    with tempfile.TemporaryDirectory(prefix="mlf-params-") as folder:
        try:
            path = client(store).download_artifacts(run.info.run_id, PARAMS_ARTIFACT, folder)
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in document["parameters"].items()}
        except (MlflowException, OSError, ValueError, KeyError):
            pass
    params = run.data.params
    mine = {k[len(ENTRY_PARAM_PREFIX):]: v for k, v in params.items() if k.startswith(ENTRY_PARAM_PREFIX)}
    if mine or "mlf.params" in run.data.tags:
        return mine
    return {k: v for k, v in params.items() if not k.startswith(PARAM_PREFIX)}


def params_text(values: Mapping[str, object]) -> dict[str, str]:
    """MLflow params are strings of at most 6000 characters (MLflow's limit in 3.x)."""
    return {name: str(value)[:6000] for name, value in values.items()}
