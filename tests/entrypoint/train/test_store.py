"""The tracking store: created whole under a lock, a broken one refused with its repair, a dead server fast."""

import shutil
import signal
import socket
import sqlite3
import subprocess
import time

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.train import store, tracking

from ..conftest import MLF
from ..reliability import note
from .projects import environment, runs, script_project

# A training command that writes one file: the store, not the training, is under test.
TRAIN = "import os, pathlib\npathlib.Path(os.environ['MLF_OUTPUT_DIR'], 'a.txt').write_text('a')\n"


def tiny_project(folder):
    return script_project(folder, TRAIN)


def check(folder):
    tracking.check_writable(tracking.resolve(folder, {}))


@pytest.fixture
def copied(tmp_path, store_template):
    shutil.copy(store_template, tmp_path / "mlflow.db")
    return tmp_path / "mlflow.db"


def test_a_good_store_passes(copied):
    check(copied.parent)
    assert store.schema_version(copied, "x") == store.head_revision() != ""


def _alter(database, statement):
    connection = sqlite3.connect(database)
    connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize("damage, message, repair", [
    ("folder", "is a folder, not a database file", "mv "),
    ("garbage", "not an SQLite database", "mv "),
    ("empty", "not an SQLite database", "mv "),
    ("no-version", "no MLflow schema version", "mv "),
    ("older", "has an older schema (451aebb31d03", "mlflow db upgrade sqlite:///"),
    ("unknown", "schema version 'f00f' is unknown", "mv "),
])
def test_a_broken_store_is_refused_with_its_repair(copied, damage, message, repair):
    if damage == "folder":
        copied.unlink()
        copied.mkdir()
    elif damage in ("garbage", "empty"):
        copied.write_bytes(b"not a database at all\n" if damage == "garbage" else b"")
    elif damage == "no-version":
        _alter(copied, "DROP TABLE alembic_version")
    else:
        _alter(copied, f"UPDATE alembic_version SET version_num = '{'451aebb31d03' if damage == 'older' else 'f00f'}'")
    with pytest.raises(UsageError, match="tracking store") as caught:
        check(copied.parent)
    assert message in caught.value.message and repair in caught.value.hint
    note("bad input", f"mlflow.db: {damage}", "exit 2 before training, the repairing command named")


def test_a_missing_folder_in_the_uri_is_never_created(tmp_path):
    uri = f"sqlite:///{tmp_path}/missing/dir/x.db"
    with pytest.raises(UsageError, match="does not exist"):
        tracking.check_writable(tracking.resolve(tmp_path, {"MLFLOW_TRACKING_URI": uri}))
    assert not (tmp_path / "missing").exists()
    note("bad input", "MLFLOW_TRACKING_URI=sqlite:///<missing folder>/x.db", "exit 2, no folder created")


def test_an_unreachable_server_fails_in_seconds():
    with socket.socket() as holder:  # a port nobody listens on: bound, never listening
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(UsageError, match="cannot reach the MLflow tracking server"):
            tracking.check_remote_reachable(tracking.resolve(".", {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}"}))
    assert time.monotonic() - started < store.CONNECT_TIMEOUT_S + 1
    note("bad input", "MLFLOW_TRACKING_URI=http://<nothing listening>", "exit 2 at once (no retries)")


def _train(folder, env=None, **popen):
    return subprocess.Popen([*MLF, "train", str(folder), "--no-lint"], env=env or environment(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


@pytest.mark.stress
@pytest.mark.parametrize("count", [2, 4])
def test_concurrent_first_runs_on_a_fresh_project_all_succeed(tmp_path, count):
    folder = tiny_project(tmp_path / "fresh")
    children = [_train(folder) for _ in range(count)]
    outputs = [child.communicate(timeout=600) for child in children]
    assert [child.returncode for child in children] == [0] * count, [err[-2000:] for _, err in outputs]
    finished = [run for run in runs(folder) if run.info.status == "FINISHED" and "mlf.fingerprint" in run.data.tags]
    assert len(finished) == count
    assert not list(folder.glob(".mlflow.db.creating-*"))
    note("fault", f"{count} concurrent first `mlf train` on a fresh project", "all exit 0, one store, all FINISHED")


@pytest.mark.stress
def test_sigterm_during_store_creation_leaves_no_half_store(tmp_path):
    folder = tiny_project(tmp_path / "fresh")
    # No user cache (its path is a file): the store is made by MLflow's migrations, seconds long, not copied from
    # the cached empty store in milliseconds; the signal lands in that window.
    (tmp_path / "no-cache").write_text("")
    child = _train(folder, environment(XDG_CACHE_HOME=str(tmp_path / "no-cache")))
    deadline = time.monotonic() + 120
    while not list(folder.glob(".mlflow.db.creating-*")) and time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    assert list(folder.glob(".mlflow.db.creating-*")), "the store's scratch file never appeared"
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode != 0 and not (folder / "mlflow.db").exists()
    again = _train(folder)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-2000:]
    assert not list(folder.glob(".mlflow.db.creating-*"))
    note("fault", "SIGTERM to `mlf train` while it creates the store", "no mlflow.db left; the next run creates it")


def test_the_migration_graph_is_alembics_own():
    """store._revisions reads MLflow's migration scripts without importing them: the same graph and head as
    alembic's ScriptDirectory (what MLflow's _get_latest_schema_revision uses)."""
    from pathlib import Path

    import mlflow
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(Path(mlflow.__file__).parent / "store" / "db_migrations"))
    assert store._revisions() == {s.revision: tuple(s._all_down_revisions) for s in scripts.walk_revisions()}
    assert [store.head_revision()] == scripts.get_heads()


def test_a_new_store_is_a_copy_of_the_cached_empty_one_with_the_projects_artifact_root(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        store._create(tmp_path / name / "mlflow.db", tmp_path / name / "mlruns")
        with sqlite3.connect(tmp_path / name / "mlflow.db") as connection:
            rows = connection.execute("SELECT experiment_id, artifact_location FROM experiments").fetchall()
        # relative to the project (a store written in a container reads the same on the host): never the first
        # project's folder, which the cached copy was made in
        assert rows == [(0, "mlruns/0")]
        assert store.schema_version(tmp_path / name / "mlflow.db", "x") == store.head_revision()
    assert [p.name for p in (tmp_path / "cache" / "mlfcore").iterdir()] == [
        f"mlflow-store-{store.head_revision()}.db"]
