"""The tracking server's image, built and run for real: `mlf-scaffold tracking-server` renders it, BuildKit builds
it FROM our base image (its requirements.lock installed with hashes from PyPI), and the container serves the lab
on the session's PostgreSQL (`--network host`): `lab users add` makes a writer, `mlf train` on the host records a
run through it, `lab upgrade` finds the schema current, and pg_dump backs the runs up.

Marked heavy: the build installs MLflow's server and its dependencies from PyPI (about 40 packages, minutes here)
and the server then starts in the container; the same `server/lab` runs on the host for every CI run
(tests/tracking_server.py).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request

import pytest

from mlfcore.scaffold import identity
from mlfcore.scaffold.images import build

pytestmark = [pytest.mark.images, pytest.mark.heavy]

TRAIN = 'import os, pathlib\npathlib.Path(os.environ["MLF_OUTPUT_DIR"], "a.txt").write_text("a")\n'


def _docker(*args: str, **run) -> subprocess.CompletedProcess:
    return subprocess.run([build.DOCKER, *args], capture_output=True, text=True, **run)


def test_the_server_image_builds_from_our_base_and_serves_the_lab(engine, build_image, tracking_server, tmp_path):
    lab = tracking_server
    base = build_image("base", "cpu")
    deployment = tmp_path / "lab"
    rendered = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.cli", "tracking-server", "lab", "--dir",
                               str(deployment), "--from-image", base], capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr
    tag = f"{identity.namespace()}/tracking-server-test:latest"
    command = ["build", "-t", tag, "--build-arg", f"BASE_IMAGE={base}"]
    if os.environ.get("CA_BUNDLE"):
        command += ["--secret", f"id=ca,src={os.environ['CA_BUNDLE']}"]
    built = _docker(*command, str(deployment / "server"), env={**os.environ, "DOCKER_BUILDKIT": "1"})
    assert built.returncode == 0, built.stderr[-4000:]
    # Fresh databases of the session's PostgreSQL, for this server alone.
    suffix = secrets.token_hex(4)
    for database in (f"runs_{suffix}", f"users_{suffix}"):
        lab.postgres.sql(f"CREATE DATABASE {database} OWNER mlflow")
    base_uri = lab.database_uri().rsplit("/", 1)[0]
    port = _free_port()
    admin_password = secrets.token_urlsafe(16)
    environment = {"MLFLOW_BACKEND_STORE_URI": f"{base_uri}/runs_{suffix}",
                   "MLFLOW_AUTH_DATABASE_URI": f"{base_uri}/users_{suffix}",
                   "MLFLOW_AUTH_ADMIN_PASSWORD": admin_password,
                   "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16),
                   "MLFLOW_HOST": "127.0.0.1", "MLFLOW_PORT": str(port), "MLFLOW_WORKERS": "1"}
    server = engine.containers.run(tag, detach=True, network_mode="host", environment=environment)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", server)
        password = secrets.token_urlsafe(16)
        added = server.exec_run(["sh", "-c", 'printf "%s\\n" "$PASSWORD" | lab users add carol --writer'],
                                environment={"PASSWORD": password})
        assert added.exit_code == 0, added.output.decode()
        project = tmp_path / "p"
        project.mkdir()
        (project / "train.py").write_text(TRAIN)
        (project / "pyproject.toml").write_text(f'[tool.mlf.train]\ncommand = "{sys.executable} train.py"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLF_"))}
        env.update(MLFLOW_TRACKING_URI=f"http://127.0.0.1:{port}", MLFLOW_TRACKING_USERNAME="carol",
                   MLFLOW_TRACKING_PASSWORD=password, NO_COLOR="1")
        trained = subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", "train", str(project),
                                  "--no-lint", "--format", "json"], env=env, capture_output=True, text=True)
        assert trained.returncode == 0, trained.stderr[-4000:]
        assert json.loads(trained.stdout)["delivery"] == "delivered"
        upgraded = server.exec_run(["lab", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output.decode()
        dump = subprocess.run([str(lab.postgres.bin / "pg_dump"), "-h", "127.0.0.1", "-p", str(lab.postgres.port),
                               "-U", "postgres", "-Fp", f"runs_{suffix}"], capture_output=True, text=True,
                              env={**os.environ, "PGPASSWORD": lab.postgres.password})
        assert dump.returncode == 0 and json.loads(trained.stdout)["run_id"] in dump.stdout
        # The server's own command line holds no secret (compose passes them in the environment).
        processes = server.exec_run(["sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"]).output.decode()
        assert lab.database_password not in processes and admin_password not in processes
    finally:
        server.remove(force=True)
        _docker("image", "rm", tag)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(uri: str, container, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        container.reload()
        assert container.status in ("created", "running"), container.logs().decode()[-4000:]
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # polling interval of the readiness check
    raise AssertionError(f"the server never answered /health:\n{container.logs().decode()[-4000:]}")
