"""What our images' `mlf` does with an entry point `mlflow run` started: the run MLflow opened, read back.

The runs are created by MLflow's own project code (mlflow.projects.utils._create_run, what `mlflow run` calls before
it starts the container), so the params and tags are exactly those MLflow writes. The containers themselves:
tests/scaffold/project/test_mlflow_run.py.
"""

from __future__ import annotations

import os
import shlex
import shutil

import pytest

from mlfcore.entrypoint import variables
from mlfcore.entrypoint.cli import dispatch
from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.train import mlflow_run, tracking

MLPROJECT = """\
name: adopted
entry_points:
  main:
    parameters:
      epochs: {type: int, default: 2}
      note: {type: string, default: "a b"}
      output_dir: {type: string, default: outputs}
    command: "python train.py --output {output_dir} --epochs {epochs} --note {note}"
"""


@pytest.fixture
def folder(tmp_path, store_template, monkeypatch):
    project = tmp_path / "adopted"
    project.mkdir()
    (project / "MLproject").write_text(MLPROJECT)
    shutil.copy(store_template, project / "mlflow.db")
    monkeypatch.setenv(variables.MLFLOW_TRACKING_URI, f"sqlite:///{project / 'mlflow.db'}")
    return project


def opened_by_mlflow_run(project, **params):
    """A run as `mlflow run` opens it, and the command it then starts (split as bash splits it)."""
    from mlflow.projects import utils
    from mlflow.projects._project_spec import load_project

    run = utils._create_run(str(project), "0", str(project), None, "main", params)
    command = load_project(str(project)).get_entry_point("main").compute_command(params, None)
    client = tracking.client(tracking.resolve(project))
    return client.get_run(run.info.run_id), shlex.split(command)


@pytest.mark.parametrize("value", ["3", "a b", "", "it's", "--x", "ü"])
def test_logged_values_are_unquoted_to_what_was_given(value):
    from mlflow.utils.string_utils import quote

    assert mlflow_run._unquoted(quote(value)) == value


def test_the_run_becomes_a_train_request_with_mlflows_values(folder):
    run, command = opened_by_mlflow_run(folder, epochs="5", note="it's here")
    request = mlflow_run.request(command, folder, run)
    assert request.run_id == run.info.run_id and request.entry_point == "main"
    assert request.params == {"epochs": "5", "note": "it's here", "output_dir": "outputs"}
    assert request.tags == {mlflow_run.RUNNER_TAG: "mlflow run", mlflow_run.COMMAND_TAG: shlex.join(command)}


@pytest.mark.parametrize("params, message", [
    ({"epochs": "abc"}, "parameter 'epochs' must be of type int, got 'abc'"),  # MLflow 3.17 logs it unchecked
    ({"extra": "1"}, "unknown parameter 'extra'"),  # MLflow would append --extra 1 to the command
    ({"output_dir": "/abs"}, "'output_dir' must be a folder inside the project"),
])
def test_bad_values_are_refused_as_mlf_train_refuses_them(folder, params, message):
    from mlfcore.entrypoint.train import pipeline

    run, command = opened_by_mlflow_run(folder, **params)
    with pytest.raises(UsageError, match=message) as caught:
        pipeline.prepare(mlflow_run.request(command, folder, run))
    assert caught.value.exit_code == 2


def test_another_command_than_the_entry_points_is_refused(folder):
    run, command = opened_by_mlflow_run(folder)
    with pytest.raises(UsageError, match="this is not the project `mlflow run` read") as caught:
        mlflow_run.request([*command[:-1], "changed"], folder, run)
    assert "/workspace" in caught.value.hint


def test_a_run_mlflow_run_did_not_open_is_refused(folder):
    client = tracking.client(tracking.resolve(folder))
    run = client.get_run(client.create_run("0").info.run_id)
    with pytest.raises(UsageError, match="was not opened by `mlflow run`"):
        mlflow_run.request(["python", "train.py"], folder, run)


def test_a_refusal_marks_the_run_failed_with_the_reason(folder):
    run, _ = opened_by_mlflow_run(folder, epochs="abc")
    assert run.info.status == "RUNNING"
    mlflow_run.refuse(run.info.run_id, os.environ, folder, UsageError("parameter 'epochs' must be of type int"))
    after = tracking.client(tracking.resolve(folder)).get_run(run.info.run_id)
    assert after.info.status == "FAILED"
    assert after.data.tags[mlflow_run.REFUSED_TAG] == "parameter 'epochs' must be of type int"


def test_mlflows_mount_of_the_projects_own_store_is_opened_as_the_project_store(folder, tmp_path, monkeypatch):
    mounted = tmp_path / "mlflow-tmp-mlruns"
    os.link(folder / "mlflow.db", mounted)  # one file, two names: as the bind mount shows it in the container
    monkeypatch.setattr(mlflow_run, "MLFLOW_DOCKER_STORE", mounted)
    environ = {variables.MLFLOW_TRACKING_URI: f"sqlite:///{mounted}"}
    mlflow_run.use_project_store(environ, folder)
    assert environ == {}  # mlf's default: the project's mlflow.db, whose folder takes sqlite's journal
    other = tmp_path / "other.db"
    shutil.copy(folder / "mlflow.db", other)
    monkeypatch.setattr(mlflow_run, "MLFLOW_DOCKER_STORE", other)
    environ = {variables.MLFLOW_TRACKING_URI: f"sqlite:///{other}"}
    mlflow_run.use_project_store(environ, folder)
    assert environ == {variables.MLFLOW_TRACKING_URI: f"sqlite:///{other}"}  # another store stays MLflow's


def test_only_a_command_in_a_project_with_a_run_id_is_mlflow_runs(tmp_path):
    assert not dispatch.started_by_mlflow_run({variables.MLFLOW_RUN_ID: "abc"}, tmp_path)
    (tmp_path / "MLproject").write_text(MLPROJECT)
    assert not dispatch.started_by_mlflow_run({}, tmp_path)
    assert dispatch.started_by_mlflow_run({variables.MLFLOW_RUN_ID: "abc"}, tmp_path)
