"""`mlf-scaffold new --framework jax` renders a project that trains and verifies on the host: two fresh runs of its
MLproject under `mlf verify`, identical fingerprints; its own smoke test passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def venv_environment() -> dict[str, str]:
    """PATH with this virtual environment first, as an activated venv has it: MLproject commands say `python`."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def scaffold(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from mlfcore.scaffold.cli import main; main()", *args], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("jax-project")
    result = scaffold("new", "digits-jax", "--framework", "jax", "--no-input", "--owner", "acme", cwd=base)
    assert result.returncode == 0, result.stderr
    return base / "digits-jax"


def test_the_rendered_project_verifies_on_the_host(project):
    result = subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", "verify", "--json", "-P", "epochs=1"],
                            cwd=project, env=venv_environment(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    report = json.loads(result.stdout)
    fingerprints = {run["fingerprint"] for run in report["runs"]}
    assert len(report["runs"]) == 2 and len(fingerprints) == 1 and None not in fingerprints, report


def test_its_smoke_test_passes(project):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                            env=venv_environment(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
