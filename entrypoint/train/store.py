"""The MLflow tracking store is made safe before any training: created whole or not at all, checked, reachable.

- A local sqlite store is created under a lock file next to it (`.mlflow.db.lock`), in a scratch file that is moved
  into place only once MLflow's migrations completed (os.replace is atomic on POSIX). Two first runs at once wait
  for each other; an interrupted creation leaves a scratch file, never a half-migrated `mlflow.db`. Measured before
  this: two `mlf train` at once on a fresh project broke the store in 2 of 5 pairs, and an interrupt in the first
  ~2.5 s did too; `mlflow db upgrade` could not repair either.
- An existing store is checked with sqlite3 alone (no MLflow import, no retries): a folder, a file that is no
  SQLite database, a database without MLflow's schema version or with an unknown one is refused with the command
  that repairs it. MLflow itself would retry opening a bad file 15 times with exponential back-off
  (mlflow/store/db/utils.py, create_sqlalchemy_engine_with_retry) and end in an SQL dump.
- An HTTP(S) tracking server is probed with one TCP connection and a short timeout: MLflow's client retries an
  unreachable server with back-off (MLFLOW_HTTP_REQUEST_MAX_RETRIES, 7 by default), measured 248 s before failing.
- A database named as the tracking store (postgresql+psycopg2://...) is probed with one connection and a connect
  timeout: MLflow would retry creating its engine 10 times with back-off (mlflow/store/db/utils.py,
  create_sqlalchemy_engine_with_retry: about 100 s) before saying that the login was refused.

Every failure is a UsageError (exit 2), raised before a run exists.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import importlib.util
import os
import re
import socket
import sqlite3
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from .. import console, variables
from ..errors import UsageError

SQLITE_HEADER = b"SQLite format 3\x00"  # https://www.sqlite.org/fileformat.html, "The Database Header"
SCRATCH_INFIX = ".creating-"
CONNECT_TIMEOUT_S = 5.0
DEFAULT_EXPERIMENT_ID = "0"  # MLflow's Default experiment (SqlAlchemyStore.DEFAULT_EXPERIMENT_ID)


def lock_path(database: Path) -> Path:
    return database.with_name(f".{database.name}.lock")


@contextlib.contextmanager
def locked(path: Path, waiting: str | None = None):
    """An exclusive flock on `path` (created), held for the block. flock, not a lock folder: the kernel drops it
    when the holder dies, so a SIGKILLed mlf never leaves a stale lock."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                console.info(waiting)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@lru_cache(maxsize=1)
def _revisions() -> dict[str, tuple[str, ...]]:
    """Each migration of MLflow's (revision -> the revisions it follows), read from the scripts' module-level
    `revision = ...` and `down_revision = ...` lines (alembic's script format) without importing them: alembic's
    ScriptDirectory, which MLflow's own _get_latest_schema_revision uses, imports all 134 scripts of MLflow 3.17
    (measured: 0.38 s of CPU against 6 ms for this, median of 3, with their .pyc in place). MLflow's store pays
    it once more when it opens; this check need not. tests/entrypoint/train/test_store.py checks the result
    against ScriptDirectory's."""
    package = Path(next(iter(importlib.util.find_spec("mlflow").submodule_search_locations)))
    found = {}
    for script in (package / "store" / "db_migrations" / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision:
            found[revision.group(1)] = tuple(_QUOTED.findall(down.group(1))) if down else ()
    return found


def head_revision() -> str:
    """The schema version MLflow's migrations end at ("" when they do not end at one)."""
    revisions = _revisions()
    followed = {parent for parents in revisions.values() for parent in parents}
    heads = [revision for revision in revisions if revision not in followed]
    return heads[0] if len(heads) == 1 else ""


def _known_revisions() -> set[str]:
    return set(_revisions())


def _broken(database: Path, uri: str, why: str) -> UsageError:
    aside = database.with_name(database.name + ".broken")
    hint = f"move it aside and run again, which creates a new store: mv {database} {aside}"
    return UsageError(f"the MLflow tracking store {uri} is broken: {why}", hint=hint)


def schema_version(database: Path, uri: str) -> str | None:
    """The store's alembic schema version; UsageError when `database` is no MLflow sqlite store."""
    if database.is_dir():
        raise _broken(database, uri, f"{database} is a folder, not a database file")
    try:
        with open(database, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as err:
        raise UsageError(f"cannot read the MLflow tracking store {database}: {err.strerror or err}",
                         hint="make it readable and writable, or set MLFLOW_TRACKING_URI to another store") from None
    if header != SQLITE_HEADER:
        raise _broken(database, uri, "the file is not an SQLite database")
    try:
        connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            connection.close()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            raise _broken(database, uri, "it has no MLflow schema version (a creation that was interrupted?)")
        raise _broken(database, uri, f"sqlite says: {err}") from None
    except sqlite3.DatabaseError as err:
        raise _broken(database, uri, f"sqlite says: {err}") from None
    return rows[0][0] if len(rows) == 1 else None


def check_sqlite(database: Path, uri: str) -> None:
    version = schema_version(database, uri)
    head = head_revision()
    if version == head or not head:
        return
    if version in _known_revisions():
        raise UsageError(f"the MLflow tracking store {uri} has an older schema ({version}; this MLflow writes {head})",
                         hint=f"back it up, then upgrade it: mlflow db upgrade {uri}")
    raise _broken(database, uri, f"its schema version {version!r} is unknown to this MLflow (written by a newer "
                                 "MLflow, or a creation that was interrupted)")


def make_relative(database: Path, experiment: str, relative: str) -> None:
    """Store the experiment's artifact location relative to the project (`mlruns/<name>`), so a store written in a
    container (/workspace/...) is usable on the host: every run's and logged model's artifact URI is derived from
    it (SqlAlchemyStore.create_run and create_logged_model append to it), and MLflow's local artifact repository
    resolves a relative path against the working directory, the project (`cd project && mlflow ui`). MLflow's
    create_experiment makes any relative location absolute (mlflow/utils/uri.py, resolve_uri_if_local), so the
    row is rewritten once, right after it was created."""
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                           (relative, int(experiment)))


def _migrate(scratch: Path, root: str) -> None:
    """An empty MLflow store in `scratch`, by MLflow's own migrations; the default experiment's artifacts at
    `root`/0 (SqlAlchemyStore's own layout)."""
    import logging

    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    for name in ("mlflow", "alembic"):  # the migrations' INFO lines are noise in mlf's output
        logging.getLogger(name).setLevel(logging.WARNING)
    created = SqlAlchemyStore(f"sqlite:///{scratch}", root)
    created.engine.dispose()


def _template() -> Path | None:
    """An empty store at this MLflow's schema head, kept in the user cache (created once per MLflow version):
    a new project's store is a copy of it. MLflow's migrations take seconds (measured: 3.5 s of CPU of a 7.4 s first
    `mlf train`, load 7 on 2 cores), a copy milliseconds. None when the cache cannot hold one."""
    from ..cachedir import user_cache

    head = head_revision()
    if not head:
        return None
    path = user_cache() / f"mlflow-store-{head}.db"
    try:
        if path.is_file() and schema_version(path, path.as_uri()) == head:
            return path
    except UsageError:  # a damaged copy: made again below
        pass
    scratch = path.with_name(f".{path.name}{SCRATCH_INFIX}{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no usable user cache (a read-only home, a file in its place): migrate in place
        return None
    try:
        _migrate(scratch, (path.parent / "mlruns").as_uri())
        os.replace(scratch, path)  # whole or not at all, also when two first runs race
    except OSError:
        return None
    finally:
        scratch.unlink(missing_ok=True)
    return path


def _create(database: Path, artifact_root: Path | None) -> None:
    """A migrated empty store in a scratch file (a copy of the cached template, else MLflow's migrations), moved
    into place whole."""
    import shutil

    scratch = database.with_name(f".{database.name}{SCRATCH_INFIX}{os.getpid()}")
    for stale in database.parent.glob(f".{database.name}{SCRATCH_INFIX}*"):
        stale.unlink(missing_ok=True)  # left by an interrupted creation: we hold the lock, nobody else writes them
    root = artifact_root.as_uri() if artifact_root is not None else (Path.cwd() / "mlruns").as_uri()
    try:
        template = _template()
        if template is None:
            _migrate(scratch, root)
        else:
            shutil.copyfile(template, scratch)
            with sqlite3.connect(scratch) as connection:  # the default experiment, where _migrate would put it
                connection.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0",
                                   (f"{root.rstrip('/')}/0",))
            connection.close()
        if artifact_root is not None:
            # MLflow's Default experiment keeps its artifacts in the project too, as those mlf creates do: `mlflow
            # run .` files its runs there, and a location written in a container (/workspace) names no folder on the
            # host (MLflow's docker backend would mount, and create, /workspace/mlruns/... on the host).
            make_relative(scratch, DEFAULT_EXPERIMENT_ID, f"{artifact_root.name}/{DEFAULT_EXPERIMENT_ID}")
        with open(scratch, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(scratch, database)
    finally:
        scratch.unlink(missing_ok=True)


def ensure_sqlite(database: Path, uri: str, artifact_root: Path | None, default: bool) -> None:
    """Check the store at `database`, creating it first when missing (under the lock)."""
    if not default and not database.parent.exists():
        # MLflow would create the folders (as root: anywhere, even at /); a typo must not do that.
        raise UsageError(f"the folder of the MLflow tracking store does not exist: {database.parent}",
                         hint=f"create it, or fix {variables.MLFLOW_TRACKING_URI}")
    if database.exists() or database.is_symlink():
        check_sqlite(database, uri)
        return
    try:
        with locked(lock_path(database), waiting="waiting for another mlf that is creating the tracking store"):
            if not database.exists():
                console.info(f"creating the MLflow tracking store {database}")
                _create(database, artifact_root)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UsageError(f"no space left to create the MLflow tracking store {database}",
                             hint="free some space, or set MLFLOW_TRACKING_URI to a store elsewhere") from None
        raise UsageError(f"cannot create the MLflow tracking store {database}: {err.strerror or err}",
                         hint="make the folder writable, or set MLFLOW_TRACKING_URI to another store") from None
    check_sqlite(database, uri)


def check_reachable(uri: str) -> None:
    """One TCP connection to an HTTP(S) tracking server, CONNECT_TIMEOUT_S at most."""
    from .remote import display

    parsed = urlparse(uri)
    uri = display(uri)
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        raise UsageError(f"{variables.MLFLOW_TRACKING_URI}={uri!r} has an invalid port") from None
    if not parsed.hostname:
        raise UsageError(f"{variables.MLFLOW_TRACKING_URI}={uri!r} names no host")
    try:
        socket.create_connection((parsed.hostname, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as err:
        raise UsageError(f"cannot reach the MLflow tracking server {parsed.hostname}:{port}: "
                         f"{getattr(err, 'strerror', None) or err}",
                         hint=f"start the server, or fix {variables.MLFLOW_TRACKING_URI}") from None


def check_database(uri: str) -> None:
    """One connection to a database named as the tracking store; UsageError naming the URI (credentials masked)
    and what to check."""
    import sqlalchemy

    from .remote import display

    shown, parsed = display(uri), urlparse(uri)
    try:
        engine = sqlalchemy.create_engine(uri, poolclass=sqlalchemy.pool.NullPool,
                                          connect_args={"connect_timeout": int(CONNECT_TIMEOUT_S)})
    except ImportError as err:  # the driver: psycopg2 for postgresql+psycopg2, psycopg (3) for a plain postgresql://
        raise UsageError(f"{variables.MLFLOW_TRACKING_URI}={shown!r}: its database driver is not installed "
                         f"({err.name or err})",
                         hint="for PostgreSQL use postgresql+psycopg2://... with psycopg2-binary installed "
                              "(pip install 'mlfcore[server]'); SQLAlchemy 2's plain postgresql:// wants psycopg 3") \
            from None
    except sqlalchemy.exc.ArgumentError as err:
        raise UsageError(f"{variables.MLFLOW_TRACKING_URI}={shown!r} is no database URI SQLAlchemy reads: {err}") \
            from None
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.SQLAlchemyError as err:
        text = str(getattr(err, "orig", None) or err).strip().splitlines()[0] if str(err).strip() else repr(err)
        if "authentication failed" in text or "access denied" in text.lower():
            raise UsageError(f"the database {shown} refused the login of user {parsed.username!r}: {text}",
                             hint="check the user and password in MLFLOW_TRACKING_URI (or use the tracking "
                                  "server's http:// address instead of its database)") from None
        raise UsageError(f"cannot use the database {shown} as the tracking store: {text}",
                         hint="check the host, port and database name, and that the database server runs") from None
    finally:
        engine.dispose()
