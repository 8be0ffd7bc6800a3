"""`mlf-scaffold tracking-server`: the rendered deployment whole against golden files, its secrets, its compose
file, its image's Dockerfile (hadolint) and lock, and its `lab` command's refusals. The deployment running for real
is the session's tracking server (tests/tracking_server.py runs its `server/lab serve` and `lab users`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from mlfcore.scaffold.images import lock as image_lock
from mlfcore.scaffold.images import table
from mlfcore.scaffold.tracking import command, lock

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[3]
FIXED = {"postgres": "POSTGRES-SECRET", "admin": "ADMIN-SECRET", "flask": "FLASK-SECRET"}


def _render(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlfcore.scaffold.cli", "tracking-server", *args],
                          capture_output=True, text=True, cwd=tmp_path)


def test_the_deployment_matches_its_golden_files():
    values = {**command.context("mlflow-lab", 5000, "ghcr.io/mlfcore/base:golden-cpu"), "secrets": FIXED}
    files = command.render_files(values)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, text in files.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(files) == sorted(expected), "files added or missing"
    for path, text in files.items():
        assert text == expected[path], f"{path} differs from its golden file (UPDATE_GOLDEN=1 after a change)"


def test_secrets_are_fresh_private_and_only_in_dot_env(tmp_path):
    first, second = _render(tmp_path, "one"), _render(tmp_path, "two")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.strip() == str(tmp_path / "one")  # the folder, alone on stdout
    envs = [dict(line.split("=", 1) for line in (tmp_path / name / ".env").read_text().splitlines()
                 if line and not line.startswith("#")) for name in ("one", "two")]
    assert set(envs[0]) == {"POSTGRES_PASSWORD", "MLFLOW_ADMIN_PASSWORD", "MLFLOW_FLASK_SERVER_SECRET_KEY"}
    assert all(len(value) >= 32 for value in envs[0].values())
    assert not set(envs[0].values()) & set(envs[1].values())  # generated per deployment
    assert (tmp_path / "one" / ".env").stat().st_mode & 0o777 == 0o600
    assert ".env" in (tmp_path / "one" / ".gitignore").read_text().split()
    for path in (tmp_path / "one").rglob("*"):
        if path.is_file() and path.name != ".env":
            assert not any(value in path.read_text() for value in envs[0].values()), path
    assert os.access(tmp_path / "one" / "server" / "lab", os.X_OK) and os.access(tmp_path / "one" / "backup.sh",
                                                                                 os.X_OK)


def test_bad_input_writes_nothing(tmp_path):
    for args in (["Bad Name"], ["lab", "--port", "0"]):
        done = _render(tmp_path, *args)
        assert done.returncode == 2, done.stderr
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    assert _render(tmp_path, "taken").returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_compose_wires_the_server_to_postgres_with_secrets_from_the_environment(tmp_path):
    assert _render(tmp_path, "lab", "--port", "5055").returncode == 0
    compose = yaml.safe_load((tmp_path / "lab" / "compose.yaml").read_text())
    db, server = compose["services"]["db"], compose["services"]["mlflow"]
    assert db["image"].startswith("postgres:15")
    assert server["depends_on"]["db"]["condition"] == "service_healthy"
    assert server["ports"] == ["5055:5000"]
    assert server["build"]["context"] == "./server" and server["build"]["args"]["BASE_IMAGE"]
    # Every secret is a ${VARIABLE} compose takes from .env; the server reads them from its environment.
    assert all("${" in value for name, value in server["environment"].items())
    assert set(server["environment"]) == {"MLFLOW_BACKEND_STORE_URI", "MLFLOW_AUTH_DATABASE_URI",
                                          "MLFLOW_AUTH_ADMIN_PASSWORD", "MLFLOW_FLASK_SERVER_SECRET_KEY"}
    assert "CREATE DATABASE mlflow_auth" in (tmp_path / "lab" / "initdb" / "create-users-database.sql").read_text()


def test_the_server_image_is_from_our_base_and_lints_clean(tmp_path):
    assert _render(tmp_path, "lab", "--from-image", "mlfcore/base:0.1.0-python3.11-cpu").returncode == 0
    dockerfile = tmp_path / "lab" / "server" / "Dockerfile"
    assert "ARG BASE_IMAGE=mlfcore/base:0.1.0-python3.11-cpu" in dockerfile.read_text()
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, "--no-color", str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_lock_pins_mlflow_as_the_clients_do_and_adds_nothing_the_base_has():
    pins = image_lock.read_lock(lock.lock_file())
    assert pins["mlflow"] == lock.MLFLOW_VERSION and pins["psycopg2-binary"] == lock.PSYCOPG2_VERSION
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"mlflow-skinny=={lock.MLFLOW_VERSION}" in project["dependencies"]
    assert f"mlflow[auth]=={lock.MLFLOW_VERSION}" in project["optional-dependencies"]["server"]
    base = image_lock.read_lock(table.image("base").lock_file("cpu"))
    assert not set(pins) & set(base)
    text = lock.lock_file().read_text()
    assert text.count("--hash=sha256:") == len(pins)


@pytest.mark.parametrize("command_line, expected", [(["serve"], "set MLFLOW_BACKEND_STORE_URI"),
                                                    (["upgrade"], "set MLFLOW_BACKEND_STORE_URI"),
                                                    (["restart"], "unknown command restart")])
def test_the_lab_command_refuses_what_it_lacks(tmp_path, command_line, expected):
    assert _render(tmp_path, "lab").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    done = subprocess.run([str(tmp_path / "lab" / "server" / "lab"), *command_line], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 2 and expected in done.stderr, done.stderr
