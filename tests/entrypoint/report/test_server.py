"""`mlf report` against a tracking server: a plain `mlflow server` (sqlite backend, the artifacts served by the
server itself) on 127.0.0.1, started here in its own process group and stopped with it."""

from __future__ import annotations

import json

import pytest

from ..conftest import mlf
from ..mlflow_server import serving
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment
from .project import make_project


@pytest.fixture
def tracking_server(tmp_path, store_template):  # noqa: F811
    database = tmp_path / "server.db"
    database.write_bytes(store_template.read_bytes())  # migrated once per session, not per server
    with serving(f"sqlite:///{database}", tmp_path, tmp_path / "server.log", environment(),
                 artifacts=tmp_path / "artifacts") as url:
        yield url


def test_a_report_of_a_run_on_a_tracking_server(tracking_server, tmp_path):
    from mlflow.tracking import MlflowClient

    env = environment(MLFLOW_TRACKING_URI=tracking_server)
    project = make_project(tmp_path / "curves")
    trained = mlf("train", str(project), env=env)
    assert trained.returncode == 0, trained.stderr[-3000:]
    client = MlflowClient(tracking_server)
    (run,) = client.search_runs([e.experiment_id for e in client.search_experiments()])
    result = mlf("report", run.info.run_id, "-o", str(tmp_path / "report"), "--format", "json",
                 "--project", str(project), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads(result.stdout)  # stdout is the document alone
    assert document["tracking_uri"] == tracking_server
    (reported,) = document["runs"]
    assert reported["fingerprint"] == run.data.tags["mlf.fingerprint"]
    assert reported["verdict"]["level"] == "recorded"
    reproduce = reported["commands"][0]["line"]
    assert reproduce == f"MLFLOW_TRACKING_URI={tracking_server} mlf reproduce {run.info.run_id} --project ."
    folder = tmp_path / "report" / "runs" / run.info.run_id
    assert (folder / "outputs" / "weight.npy").is_file() and (folder / "mlf" / "sysinfo.json").is_file()
    assert [p["step"] for p in json.loads((folder / "metrics.json").read_text())["loss"]] == [0, 1, 2, 3]
