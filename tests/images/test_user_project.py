"""A user's own MLflow project in an image built FROM ours, and the store it writes read on the host.

The project (tests/entrypoint/commands/user_projects.py) autologs only, names a python_env and calls
set_experiment; the image is `FROM <our xgboost image>` with nothing of mlf changed. Artifact locations are
relative to the project, so MLflow's own client, started in the mounted folder on the host, lists and downloads
the run's artifacts and loads the logged model (a store written in a container used to name /workspace/...).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest


def _user_projects():
    """The projects the venv tests train (tests/entrypoint is a package of its own, not importable from here)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "entrypoint" / "commands" / "user_projects.py"
    spec = importlib.util.spec_from_file_location("user_projects_for_images", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


xgboost_project = _user_projects().xgboost_project

FOR_IMAGE = "xgboost"
WORKSPACE = "/workspace"


@pytest.fixture
def derived(engine, image):
    """An image built FROM ours, as a user's Dockerfile starts; removed afterwards."""
    tag = f"{image.ref.rsplit(':', 1)[0]}-user-derived:test"
    dockerfile = f"FROM {image.ref}\nLABEL org.opencontainers.image.title=iris-boosting\nENV IRIS_PROJECT=1\n"
    engine.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    yield tag
    engine.images.remove(tag, force=True)


def in_container(engine, ref: str, workspace: Path, *args: str) -> tuple[int, str, str]:
    container = engine.containers.run(ref, list(args), detach=True,
                                      volumes={str(workspace): {"bind": WORKSPACE, "mode": "rw"}})
    try:
        status = container.wait(timeout=900)
        return (status["StatusCode"], container.logs(stdout=True, stderr=False).decode(),
                container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


@pytest.mark.slow
def test_user_project_in_a_derived_image_trains_reproduces_and_its_store_travels(engine, derived, tmp_path,
                                                                                  monkeypatch):
    import mlflow
    import numpy as np
    from mlflow.tracking import MlflowClient

    workspace = xgboost_project(tmp_path / "iris")
    for path in [workspace, *workspace.rglob("*")]:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)  # the image's user (uid 1000) writes here
    code, stdout, stderr = in_container(engine, derived, workspace, "train", "--json", "-P", "eta=0.25",
                                        "-P", "rounds=3")
    assert code == 0, stderr[-4000:]
    first = json.loads(stdout)
    assert first["experiment"] == "iris-boosting" and "logged model" in first["fingerprinted"]
    assert "surely-not-installed-package==0.0.1 is not installed" in stderr
    code, stdout, stderr = in_container(engine, derived, workspace, "reproduce", first["run_id"], "--json")
    assert code == 0, stderr[-4000:]
    answer = json.loads(stdout)
    assert answer["identical"] and answer["run"]["fingerprint"] == first["fingerprint"]
    assert " -P eta=0.25 " in answer["docker_run"] and "custom_metric" not in answer["docker_run"]

    # The host: MLflow's client in the project folder reads everything the container wrote.
    monkeypatch.chdir(workspace)
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    run = client.get_run(first["run_id"])
    assert not run.info.artifact_uri.startswith("file:///workspace")
    listed = {entry.path for entry in client.list_artifacts(run.info.run_id)}
    assert {"mlf", "outputs"} <= listed
    fetched = Path(client.download_artifacts(run.info.run_id, "mlf/fingerprint.json", str(tmp_path / "down")))
    assert json.loads(fetched.read_text())["fingerprint"] == first["fingerprint"]
    (model,) = client.search_logged_models(experiment_ids=[run.info.experiment_id],
                                           filter_string=f"source_run_id = '{run.info.run_id}'")
    loaded = mlflow.pyfunc.load_model(f"models:/{model.model_id}")
    predictions = np.asarray(loaded.predict(np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])))
    assert predictions.shape == (2, 3) and predictions.argmax(axis=1).tolist() == [0, 2]
