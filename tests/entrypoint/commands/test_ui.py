"""The MLflow UI (`mlfcore[ui]`) on a store mlf wrote: a real server, a real browser (headless Chromium).

MLflow's UI is a JavaScript app: the run page is rendered in the browser from the REST API, so the page is loaded
with a virtual-time budget (Chromium runs the app's timers and fetches until the budget is spent) and its DOM
read after that. The screenshot stays in the test's tmp folder; its path is printed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata

import pytest

from ..conftest import mlf
from ..train.projects import environment, make_project

pytestmark = pytest.mark.heavy  # an MLflow server (~60 s to start on 2 busy cores) and two Chromium page loads


def _free_port() -> int:
    for _ in range(50):
        port = random.randint(20000, 60000)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port found in 20000-60000")


def _wait_healthy(url: str, server: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the MLflow server exited"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"the MLflow server at {url} did not answer within {seconds} s")


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=30000",
                           "--window-size=1400,1600", *args], capture_output=True, text=True, timeout=300)


def test_the_ui_shows_the_runs_fingerprint(tmp_path):
    try:
        metadata.version("mlflow")  # the full package, not mlflow-skinny: it brings the server
    except metadata.PackageNotFoundError:
        pytest.fail("the MLflow server is not installed: pip install -e '.[ui]'", pytrace=False)
    assert shutil.which("chromium"), "Debian's chromium is needed: apt-get install -y chromium"
    project = make_project(tmp_path / "tiny")
    trained = mlf("train", str(project), "--json", env=environment())
    assert trained.returncode == 0, trained.stderr[-3000:]
    summary = json.loads(trained.stdout)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--backend-store-uri",
                               f"sqlite:///{project / 'mlflow.db'}", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "1"], cwd=project, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=environment(), start_new_session=True)
    try:
        _wait_healthy(url, server)
        with urllib.request.urlopen(f"{url}/api/2.0/mlflow/runs/get?run_id={summary['run_id']}") as answer:
            experiment = json.load(answer)["run"]["info"]["experiment_id"]
        # The server reads the relative artifact locations from the project folder.
        with urllib.request.urlopen(f"{url}/api/2.0/mlflow/artifacts/list?run_id={summary['run_id']}") as answer:
            assert {entry["path"] for entry in json.load(answer)["files"]} >= {"mlf", "outputs"}
        page = f"{url}/#/experiments/{experiment}/runs/{summary['run_id']}"
        dom = _chromium("--dump-dom", page)
        assert "mlf.fingerprint" in dom.stdout and summary["fingerprint"] in dom.stdout, dom.stdout[-2000:]
        screenshot = tmp_path / "run-page.png"
        _chromium(f"--screenshot={screenshot}", page)
        assert screenshot.stat().st_size > 10_000
        print(f"screenshot of the run page: {screenshot}")
    finally:  # the server starts uvicorn as a child: end the whole group it leads
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
