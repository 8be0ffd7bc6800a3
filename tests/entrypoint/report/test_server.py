"""`mlf report` against a tracking server: a plain `mlflow server` (sqlite backend, the artifacts served by the
server itself) on 127.0.0.1, started here in its own process group and stopped with it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata

import pytest

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment
from .project import make_project

READY_S = 240  # measured: 18 s to answer on this project's 2-core machine at load 8, migrations included


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log) -> None:
    """Poll the server's /health until it answers 200 (readiness is asked, never slept on)."""
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the MLflow server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)  # between two polls only
    pytest.fail(f"the MLflow server at {url} did not answer within {READY_S} s")


@pytest.fixture
def tracking_server(tmp_path, store_template):  # noqa: F811
    try:
        metadata.version("mlflow")  # the full package, not mlflow-skinny: it brings the server
    except metadata.PackageNotFoundError:
        pytest.fail("the MLflow server is not installed: pip install -e '.[ui]'", pytrace=False)
    database = tmp_path / "server.db"
    database.write_bytes(store_template.read_bytes())  # migrated once per session, not per server
    port, log = _free_port(), tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log, "w") as output:
        server = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--backend-store-uri",
                                   f"sqlite:///{database}", "--artifacts-destination", str(tmp_path / "artifacts"),
                                   "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                                  stdout=output, stderr=subprocess.STDOUT, env=environment(),
                                  start_new_session=True)
    try:
        _wait_healthy(url, server, log)
        yield url
    finally:  # the server starts uvicorn as a child: end the whole group it leads
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


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
