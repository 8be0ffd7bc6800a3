"""Where runs are tracked, and that an unwritable store is refused before training."""

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.train import tracking


def test_default_store_is_sqlite_in_the_project(tmp_path):
    store = tracking.resolve(tmp_path, {})
    assert store.uri == f"sqlite:///{tmp_path}/mlflow.db" and store.default
    assert store.artifact_root == tmp_path / "mlruns"
    assert "mlflow ui" in store.ui_command(tmp_path)


@pytest.mark.parametrize("uri, path", [("sqlite:////data/x.db", "/data/x.db"), ("sqlite:///x.db", "x.db"),
                                       ("file:///data/mlruns", "/data/mlruns"), ("/data/mlruns", "/data/mlruns")])
def test_tracking_uri_from_the_environment(tmp_path, uri, path):
    store = tracking.resolve(tmp_path, {"MLFLOW_TRACKING_URI": uri})
    assert store.uri == uri and not store.default and store.artifact_root is None and store.remote is None
    assert (str(store.local_path) if store.local_path else None) == path


@pytest.mark.parametrize("uri", ["http://127.0.0.1:5000", "https://alice:pw@mlflow.lab.example",
                                 "postgresql+psycopg2://u:p@db:5432/mlflow"])
def test_a_server_uri_records_in_the_project_and_delivers_there(tmp_path, uri):
    store = tracking.resolve(tmp_path, {"MLFLOW_TRACKING_URI": uri})
    assert store.remote == uri and store.default
    assert store.uri == f"sqlite:///{tmp_path}/mlflow.db" and store.artifact_root == tmp_path / "mlruns"
    assert "pw@" not in store.shown and ":p@" not in store.shown


def test_a_store_under_a_file_is_not_writable(tmp_path):
    (tmp_path / "file").write_text("")
    store = tracking.resolve(tmp_path, {"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/file/mlflow.db"})
    with pytest.raises(UsageError, match="not writable") as caught:
        tracking.check_writable(store)
    assert caught.value.exit_code == 2


def test_a_writable_default_store_is_created_whole_and_leaves_no_probe(tmp_path):
    tracking.check_writable(tracking.resolve(tmp_path, {}))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mlflow.db.lock", "mlflow.db", "mlruns"]
    assert not any((tmp_path / "mlruns").iterdir())


def test_mlflows_default_experiment_in_a_store_mlf_creates_keeps_its_artifacts_in_the_project(tmp_path):
    # `mlflow run .` files its runs in experiment 0; a store created in a container must not send them to /workspace.
    from mlflow.tracking import MlflowClient

    tracking.check_writable(tracking.resolve(tmp_path, {}))
    default = MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}").get_experiment("0")
    assert (default.name, default.artifact_location) == ("Default", "mlruns/0")


def test_an_artifact_folder_from_another_machine_is_refused(tmp_path):
    (tmp_path / "mlruns").mkdir()
    tracking._check_artifact_location((tmp_path / "mlruns" / "exp").as_uri(), "exp")
    with pytest.raises(UsageError, match="does not exist here") as caught:
        tracking._check_artifact_location("file:///workspace-that-is-not-here/mlruns/exp", "exp")
    assert caught.value.exit_code == 2
    tracking._check_artifact_location("s3://bucket/mlruns/exp", "exp")  # remote: not ours to check
