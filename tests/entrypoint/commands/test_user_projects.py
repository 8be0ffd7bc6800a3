"""Users' own MLflow projects, unmodified, in a venv: `mlf train` twice gives one fingerprint, `reproduce` exits 0."""

from __future__ import annotations

import json

import pytest

from ..conftest import mlf
from ..train.projects import environment
from .user_projects import keras_project, venv_path, xgboost_project


def train(project, *args, **extra):
    result = mlf("train", str(project), "--json", *args, env=environment(PATH=venv_path(), **extra), timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def xgb_run(tmp_path_factory):
    """The autolog-only XGBoost project trained once with -P (module-wide: each run takes 10-40 s here); the
    reproduce test trains it a second time and compares."""
    project = xgboost_project(tmp_path_factory.mktemp("user") / "iris")
    return project, train(project, "-P", "eta=0.25", "-P", "rounds=3")


def test_autolog_project_is_fingerprinted_on_what_it_logged(xgb_run):
    _, (first, log) = xgb_run
    # Nothing in the output folder: what the run logged is fingerprinted, and the summary says so.
    assert first["fingerprinted"].startswith("what the run logged to MLflow (1 logged model")
    assert "fingerprinted" in log and "logged model" in log


def test_mlproject_semantics_name_python_env_and_set_experiment(xgb_run):
    from mlflow.tracking import MlflowClient

    project, (first, log) = xgb_run
    assert first["experiment"] == "iris-boosting"  # MLproject name:, not the folder's
    # The backslash-continued command ran under /bin/sh as one command line, with the -P values.
    assert "training /bin/sh -c python fit.py" in " ".join(log.split())
    # python_env.yaml against this environment: each unmet requirement named, the run not refused.
    assert "surely-not-installed-package==0.0.1 is not installed" in log
    assert "Python 3.7 is wanted" in log
    assert "xgboost" not in "".join(line for line in log.splitlines() if "python_env.yaml" in line)
    # set_experiment in user code: a warning naming both, the run stays where mlf opened it.
    assert "mlflow.set_experiment('my-iris-experiment') is ignored" in log and "'iris-boosting'" in log
    client = MlflowClient(f"sqlite:///{project / 'mlflow.db'}")
    run = client.get_run(first["run_id"])
    assert client.get_experiment(run.info.experiment_id).name == "iris-boosting"
    # The user's params (autolog's, log_param's) and mlf's coexist; the entry point's are mlf's own.
    params = run.data.params
    assert params["scored_by"] == "accuracy" and params["custom_metric"] == "None"  # the user's code, autolog
    assert params["mlf.param.eta"] == "0.25" and params["mlf.param.rounds"] == "3"
    assert json.loads(run.data.tags["mlf.params"]) == {"depth": "3", "eta": "0.25", "rounds": "3"}


def test_a_second_training_by_reproduce_gives_the_same_fingerprint(xgb_run):
    """`reproduce` trains again with exactly the entry point's params (the user's own logged params, such as
    autolog's `custom_metric`, made it fail with "unknown parameter") and compares the fingerprints."""
    project, (first, _) = xgb_run
    result = mlf("reproduce", first["run_id"], "--project", str(project), "--json",
                 env=environment(PATH=venv_path()), timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    answer = json.loads(result.stdout)
    assert answer["identical"] and answer["run"]["fingerprint"] == first["fingerprint"]
    assert "unknown parameter" not in result.stderr


def test_mlflow_experiment_name_overrides_the_mlproject_name(tmp_path):
    project = keras_project(tmp_path / "k")
    from mlfcore.entrypoint.train import project as spec

    assert spec.load(project, environ={"MLFLOW_EXPERIMENT_NAME": "chosen"}).experiment == "chosen"
    assert spec.load(project, environ={}).experiment == "keras-tiny"


@pytest.mark.heavy  # four TensorFlow trainings: ~2 min on 2 busy cores, too slow for every CI run
def test_keras_model_file_trains_reproduces_and_one_weight_fails_verify(tmp_path):
    project = keras_project(tmp_path / "keras")
    first, _ = train(project, "-P", "epochs=2")
    assert first["fingerprinted"] == "the run's output folder"
    result = mlf("reproduce", first["run_id"], "--project", str(project), env=environment(PATH=venv_path()),
                 timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    result = mlf("verify", str(project), "-P", "perturb=1", "--runs", "2", env=environment(PATH=venv_path()),
                 timeout=600)
    assert result.returncode == 1, result.stderr[-4000:]
    assert "model.keras::model.weights.h5::layers/dense/vars/0" in result.stderr
