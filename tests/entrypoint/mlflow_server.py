"""A plain `mlflow server` (the `ui` extra) for the tests that need a real tracking server or MLflow's UI: started on
127.0.0.1 in its own process group, asked for readiness (never slept on), stopped with its whole group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import pytest

READY_S = 240  # measured: 18 s to answer on this project's 2-core machine at load 8; ~60 s at worse times


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
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


@contextmanager
def serving(backend_uri: str, cwd: Path, log: Path, env: dict[str, str], artifacts: Path | None = None):
    """Yield the URL of a server on `backend_uri`, run from `cwd` (relative artifact locations resolve there);
    with `artifacts`, the server stores and serves new runs' artifacts itself."""
    try:
        metadata.version("mlflow")  # the full package, not mlflow-skinny: it brings the server
    except metadata.PackageNotFoundError:
        pytest.fail("the MLflow server is not installed: pip install -e '.[ui]'", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", backend_uri, "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1"]
    if artifacts is not None:
        command += ["--artifacts-destination", str(artifacts)]
    with open(log, "w") as output:
        server = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, env=env,
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
