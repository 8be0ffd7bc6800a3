"""A rendered project trains and verifies in a virtual environment: `mlf verify` on the host, two fresh runs,
identical fingerprints; its own smoke test passes. (The pytorch project is verified inside its image instead:
test_image.py.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlfcore.scaffold.project import frameworks

from .conftest import scaffold, venv_environment


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    base = tmp_path_factory.mktemp("venv-projects")
    made = {}
    for framework in ("base", "xgboost", "tensorflow"):
        result = scaffold("new", f"venv-{framework}", "--framework", framework, "--no-input", "--owner", "acme",
                          cwd=base)
        assert result.returncode == 0, result.stderr
        made[framework] = base / f"venv-{framework}"
    return made


def _verify(project, framework, *options):
    parameter = frameworks.FRAMEWORKS[framework].parameter
    short = "3" if parameter == "rounds" else "1"  # short trainings: the point is equality, not accuracy
    return subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", "verify", "--json", *options, "-P",
                           f"{parameter}={short}"], cwd=project, env=venv_environment(), capture_output=True,
                          text=True, timeout=900)


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["base", "xgboost", "tensorflow"])
def test_rendered_project_verifies_on_the_host(projects, framework):
    result = _verify(projects[framework], framework)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    report = json.loads(result.stdout)
    fingerprints = {run["fingerprint"] for run in report["runs"]}
    assert len(report["runs"]) == 2 and len(fingerprints) == 1 and None not in fingerprints, report


@pytest.mark.slow
def test_rendered_smoke_test_passes(projects):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=projects["base"],
                            env=venv_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_verify_catches_an_unseeded_change(projects, tmp_path):
    # Negative control: the same project drawing its initial weights from an unseeded generator fails verify.
    import shutil

    project = tmp_path / "unseeded"
    shutil.copytree(projects["base"], project, ignore=shutil.ignore_patterns("mlflow.db", "mlruns", "outputs"))
    train = project / "venv_base" / "train.py"
    train.write_text(train.read_text().replace("np.random.default_rng(applied.seed)", "np.random.default_rng()"))
    stopped = _verify(project, "base")  # the pre-run gate sees the unseeded generator first
    assert stopped.returncode == 1 and "contract-unseeded-rng" in stopped.stderr, stopped.stderr[-2000:]
    result = _verify(project, "base", "--no-lint")  # and without the gate, verify sees the bits differ
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert json.loads(result.stdout)["identical"] is False
