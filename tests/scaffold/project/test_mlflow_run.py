"""`mlflow run .` on rendered projects: MLflow's own runner trains in the project's image, recorded as `mlf train`
records, with the same fingerprint.

Real `mlflow run` (this virtual environment's MLflow), real containers. The base project trains in about a second,
so what is timed here is MLflow, Docker and mlf, not the training. The project belongs to uid 1000 (the image's user,
and a typical first user of a Linux machine; the tests chown it when they run as root, as in CI): `-A user=0` then
shows that every file the run leaves is the project owner's, and leaving it out shows the refusal MLflow's
root-made artifact folder causes. The PyTorch project (`mlf-scaffold new`'s default) is `heavy`: the same check,
in `--experiment-name` form, with a 1.7 GB image and a slower training (measured: 256 s on this project's loaded
2-core machine, the image rebuild included).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import FRAMEWORKS, VENV_BIN, scaffold

OWNER_UID = 1000  # the image's user (images/base/Dockerfile)
RUN_ID = re.compile(r"Run \(ID '([0-9a-f]{32})'\)")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_mlflows_loader_takes_every_rendered_mlproject(rendered, framework):
    from mlflow.projects._project_spec import load_project

    from mlfcore.entrypoint.train import mlflow_compat, project

    loaded = load_project(str(rendered[framework]))
    assert loaded.docker_env == {"image": f"ghcr.io/acme/golden-{framework}:latest",
                                 "volumes": ['"$PWD":/workspace']}
    # What crashed with KeyError: 'output_dir' before the MLproject declared it.
    command = loaded.get_entry_point("main").compute_command({}, None)
    assert command.startswith(f"python -m golden_{framework}.train --output outputs ")
    assert mlflow_compat.problems(project.load(rendered[framework]).entry_point) == []


@dataclass(frozen=True)
class Demo:
    project: Path
    image: str  # what the MLproject's docker_env names

    @property
    def owner(self) -> str:
        status = self.project.stat()
        return f"{status.st_uid}:{status.st_gid}"


def _render(engine, base: Path, framework: str, from_image: str) -> Demo:
    name = f"mlflow-run-{framework}-{uuid.uuid4().hex[:8]}"
    result = scaffold("new", name, "--framework", framework, "--no-input", "--owner", "acme",
                      "--from-image", from_image, cwd=base)
    assert result.returncode == 0, result.stderr
    project = base / name
    image = f"ghcr.io/acme/{name}:latest"
    assert f"image: {image}\n" in (project / "MLproject").read_text()
    engine.images.build(path=str(project), tag=image, rm=True, forcerm=True)
    if os.getuid() == 0:
        for path in [project, *project.rglob("*")]:
            os.chown(path, OWNER_UID, OWNER_UID)
    return Demo(project, image)


@pytest.fixture(scope="module")
def demo(engine, build_image, tmp_path_factory):
    made = _render(engine, tmp_path_factory.mktemp("mlflow-run"), "base", build_image("base"))
    yield made
    engine.images.remove(made.image, force=True)


def mlflow_run(project: Path, *args: str) -> tuple[subprocess.CompletedProcess, str]:
    """`mlflow run . ARGS` in the project, with the project's own store (no MLFLOW_* of this machine), and the
    run id MLflow reports."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([str(VENV_BIN / "mlflow"), "run", ".", *args], cwd=project, env=env,
                            capture_output=True, text=True, timeout=900)
    found = RUN_ID.findall(result.stderr)
    assert found, result.stderr[-4000:]
    return result, found[-1]


def train_in_image(engine, demo: Demo, *args: str) -> tuple[int, str, str]:
    """`docker run --user OWNER -v PROJECT:/workspace IMAGE train ARGS`, as the project's docs run it."""
    container = engine.containers.run(demo.image, ["train", *args], detach=True, user=demo.owner,
                                      volumes={str(demo.project): {"bind": "/workspace", "mode": "rw"}})
    try:
        status = container.wait(timeout=900)
        return (status["StatusCode"], container.logs(stdout=True, stderr=False).decode(),
                container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


def recorded(project: Path, run_id: str):
    from mlflow.tracking import MlflowClient

    return MlflowClient(f"sqlite:///{project / 'mlflow.db'}").get_run(run_id)


def _agree(engine, demo: Demo, parameter: str, *mlflow_args: str) -> None:
    code, stdout, stderr = train_in_image(engine, demo, "--json", "-P", parameter)
    assert code == 0, stderr[-4000:]
    trained = json.loads(stdout)
    result, run_id = mlflow_run(demo.project, "-P", parameter, "-A", "user=0", *mlflow_args)
    assert result.returncode == 0, result.stderr[-4000:]
    run = recorded(demo.project, run_id)
    tags, params = run.data.tags, run.data.params
    assert run.info.status == "FINISHED"
    # The same fingerprint, and the same environment key: one image, one machine, two runners.
    assert tags["mlf.fingerprint"] == trained["fingerprint"]
    assert tags["mlf.environment_key"] == trained["environment_key"]
    assert (tags["mlf.runner"], tags["mlflow.project.env"], tags["mlf.image"]) == ("mlflow run", "docker", demo.image)
    assert tags["mlf.lint_errors"] == "0" and tags["mlf.nondeterministic"] == "false"
    key, value = parameter.split("=")
    assert params[key] == value  # MLflow's own record of the parameter
    assert (params[f"mlf.param.{key}"], params["mlf.param.output_dir"], params["mlf.seed"]) == (value, "outputs", "0")
    folder = demo.project / "outputs" / run_id  # the run's own folder inside the declared output_dir
    assert folder.is_dir() and any(folder.iterdir())
    artifacts = demo.project / run.info.artifact_uri.removeprefix("file://")
    assert json.loads((artifacts / "mlf" / "fingerprint.json").read_text())["fingerprint"] == trained["fingerprint"]
    # Everything the run left in the project is the project owner's, MLflow's root-made folders too.
    owner = demo.project.stat().st_uid
    assert [str(p) for p in demo.project.rglob("*") if p.lstat().st_uid != owner] == []


@pytest.mark.images
@pytest.mark.slow
def test_mlflow_run_trains_in_the_image_and_agrees_with_mlf_train(engine, demo):
    _agree(engine, demo, "epochs=3")


@pytest.mark.images
@pytest.mark.slow
def test_a_bad_int_fails_before_any_training_and_leaves_no_run_running(demo):
    result, run_id = mlflow_run(demo.project, "-P", "epochs=abc", "-A", "user=0")
    assert result.returncode == 1 and f"Run (ID '{run_id}') failed" in result.stderr
    assert "parameter 'epochs' must be of type int, got 'abc'" in result.stderr
    assert not re.search(r"^training ", result.stderr, re.M)  # mlf's line as it starts the training command
    run = recorded(demo.project, run_id)
    assert run.info.status == "FAILED" and "must be of type int" in run.data.tags["mlf.refused"]
    assert not (demo.project / "outputs" / run_id).exists()


@pytest.mark.images
@pytest.mark.slow
def test_without_root_mlflows_root_made_artifact_folder_is_named_with_the_fix(demo):
    if os.getuid() not in (0, OWNER_UID):  # never in CI, which runs as root
        pytest.skip("the project belongs to a user the image's uid 1000 cannot write for: the store is refused "
                    "before the artifact folder is looked at")
    result, run_id = mlflow_run(demo.project, "-P", "epochs=1")
    assert result.returncode == 1
    assert "cannot write the run's artifact folder" in result.stderr
    assert "github.com/mlflow/mlflow/issues/2883" in result.stderr
    assert "mlflow run . -A user=0" in result.stderr
    assert recorded(demo.project, run_id).info.status == "FAILED"


def _has_nvidia_runtime(engine) -> bool:
    return "nvidia" in (engine.info().get("Runtimes") or {})


@pytest.mark.images
@pytest.mark.slow
def test_gpus_all_reaches_docker_run(engine, demo):
    result, run_id = mlflow_run(demo.project, "-P", "epochs=1", "-A", "gpus=all", "-A", "user=0")
    # MLflow turns -A gpus=all into `docker run --gpus all` (backend/local.py, _get_docker_command).
    assert re.search(r"Running command 'docker run --rm --gpus all --user 0 ", result.stderr), result.stderr[-3000:]
    run = recorded(demo.project, run_id)
    if _has_nvidia_runtime(engine):  # a GPU machine: the run trained and saw them
        assert result.returncode == 0 and int(run.data.tags["mlf.gpu_count"]) >= 1, result.stderr[-3000:]
    else:  # the engine itself refuses: the argument reached it, and the run is not left RUNNING
        assert result.returncode == 1 and "could not select device driver" in result.stderr
        assert run.info.status == "FAILED"


@pytest.mark.images
@pytest.mark.heavy  # the default framework's project, trained twice in its 1.7 GB image: minutes more
def test_mlflow_run_of_the_pytorch_project_agrees_with_mlf_train(engine, build_image, tmp_path):
    build_image("base")
    made = _render(engine, tmp_path, "pytorch", build_image("pytorch"))
    try:
        _agree(engine, made, "epochs=1", "--experiment-name", made.project.name)  # beside mlf train's runs
    finally:
        engine.images.remove(made.image, force=True)
        shutil.rmtree(made.project, ignore_errors=True)
