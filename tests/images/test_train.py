"""`mlf train` and `mlf verify` in the framework images, as the README's main job runs them:
`docker run --rm -v <tmp>:/workspace mlfcore/<fw>:<tag> train` twice gives identical fingerprints, `verify` exits 0,
and the MLflow store written inside the container is read back on the host with MLflow's client.

The container runs as uid 1000 (images/base/Dockerfile): the test makes its tmp folder writable for it. Artifact
URIs in the store are relative to the project (mlruns/...); the host reads them under the tmp folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from mlfcore.entrypoint import frameworks
from mlfcore.scaffold.golden import check

# Short trainings: each example's smallest useful size (its framework's record, Example.smoke), the size of the
# image entries of the golden table.
SMALL = {name: tuple(arg for key, value in example.smoke.items() for arg in ("-P", f"{key}={value}"))
         for name, (_, example) in frameworks.examples().items()}
# Every framework image; the base has no framework and no bundled example.
FOR_IMAGE = "base"
DESCENDANTS_ONLY = True
WORKSPACE = "/workspace"


@pytest.fixture
def framework(image):
    return image


@pytest.fixture
def workspace(tmp_path):
    folder = tmp_path / "workspace"
    folder.mkdir()
    os.chmod(folder, 0o777)  # the container's user (uid 1000) writes the store and the outputs here
    return folder


def mlf_in_container(engine, image, workspace: Path, *args: str, timeout: float = 900) -> tuple[int, str, str]:
    """`docker run --rm -v WORKSPACE:/workspace IMAGE ARGS`: exit code, stdout, stderr; the container is always
    removed."""
    container = engine.containers.run(image.ref, list(args), detach=True,
                                      volumes={str(workspace): {"bind": WORKSPACE, "mode": "rw"}})
    try:
        status = container.wait(timeout=timeout)
        return (status["StatusCode"], container.logs(stdout=True, stderr=False).decode(),
                container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


def on_host(uri: str, workspace: Path) -> Path:
    """An artifact URI written in the container (relative to the project, or file:///workspace/... from older
    stores), as a path under the host's folder."""
    path = Path(unquote(urlparse(uri).path))
    return workspace / (path.relative_to(WORKSPACE) if path.is_absolute() else path)


def train(engine, image, workspace) -> dict:
    code, stdout, stderr = mlf_in_container(engine, image, workspace, "train", "--json", *SMALL[image.spec.example])
    assert code == 0, stderr[-4000:]
    return json.loads(stdout)


@pytest.fixture(scope="session")
def trained_twice(engine, image, tmp_path_factory):
    """(workspace, first, second): the example trained twice in one workspace, which the tests below share."""
    folder = tmp_path_factory.mktemp(f"train-{image.name}") / "workspace"
    folder.mkdir()
    os.chmod(folder, 0o777)
    return folder, train(engine, image, folder), train(engine, image, folder)


def test_train_twice_gives_identical_fingerprints_and_the_store_reads_back(framework, trained_twice):
    import mlflow
    import numpy as np
    from mlflow.tracking import MlflowClient

    workspace, first, second = trained_twice
    assert first["fingerprint"] == second["fingerprint"]
    assert first["environment_key"] == second["environment_key"]
    assert first["tracking_uri"] == f"sqlite:///{WORKSPACE}/mlflow.db"

    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    run = client.get_run(first["run_id"])
    assert run.info.status == "FINISHED"
    tags, params = run.data.tags, run.data.params
    assert tags["mlf.fingerprint"] == first["fingerprint"]
    assert tags["mlf.example"] == framework.spec.example
    assert tags["mlf.image"] == framework.ref
    assert params["mlf.seed"] == "0" and params["mlf.threads"] == "2"
    assert {"loss"} <= set(run.data.metrics)
    assert len(client.get_metric_history(run.info.run_id, "loss")) >= 1

    artifacts = on_host(run.info.artifact_uri, workspace)
    assert {p.name for p in (artifacts / "mlf").iterdir()} >= {"sysinfo.json", "lint.json", "contract.json",
                                                               "fingerprint.json"}
    sysinfo = json.loads((artifacts / "mlf" / "sysinfo.json").read_text())
    assert sysinfo["environment_key"]["key"] == first["environment_key"]

    models = client.search_logged_models(experiment_ids=[run.info.experiment_id],
                                         filter_string=f"source_run_id = '{run.info.run_id}'")
    assert len(models) == 1
    model = mlflow.pyfunc.load_model(str(on_host(models[0].artifact_location, workspace)))
    shape = [2 if size == -1 else size for size in model.metadata.get_input_schema().inputs[0].shape]
    predictions = np.asarray(model.predict(np.zeros(shape, dtype=np.float32)))
    assert predictions.shape[0] == 2


@pytest.mark.golden
def test_the_example_gives_its_golden_fingerprint(framework, trained_twice):
    """In the cpu images; a cuda image on a machine without GPUs must give the cpu image's value (check.py)."""
    workspace, first, _ = trained_twice
    name, _, value = SMALL[framework.spec.example][1].partition("=")
    outcome = check.of_run(workspace, first["run_id"], framework.spec.example, "image", params={name: value},
                           image=framework.name, variant=framework.variant)
    assert outcome.matched, outcome.failure


@pytest.mark.slow
def test_verify_exits_0_in_the_image_and_its_runs_give_the_golden_value(engine, framework, workspace):
    from mlfcore.entrypoint import contract
    from mlfcore.scaffold.golden import table

    name, _, value = SMALL[framework.spec.example][1].partition("=")
    # The container sees no GPU (it is started without --gpus): the cpu entry of this machine's architecture.
    golden = check.golden_for(table.load(), table.Entry(framework.spec.example, "image", framework.name,
                                                        framework.variant, contract.machine_arch(), "cpu",
                                                        {name: value}))
    assert golden is not None and golden.fingerprint, "no golden value: `make golden` measures it"
    code, _, stderr = mlf_in_container(engine, framework, workspace, "verify", *SMALL[framework.spec.example],
                                       "--expect", golden.fingerprint)
    assert code == 0, stderr[-4000:]
    assert "2 runs gave bitwise identical results" in stderr and f"as expected: {golden.fingerprint}" in stderr


@pytest.mark.slow
def test_reproduce_in_the_image_prints_the_docker_line_and_matches(engine, framework, workspace):
    recorded = train(engine, framework, workspace)
    code, stdout, stderr = mlf_in_container(engine, framework, workspace, "reproduce", recorded["run_id"], "--json")
    assert code == 0, stderr[-4000:]
    answer = json.loads(stdout)
    assert answer["identical"] and answer["run"]["fingerprint"] == recorded["fingerprint"]
    assert answer["docker_run"].startswith(f'docker run --rm -v "$PWD":/workspace {framework.ref} train ')
    # And how to rebuild the image when it cannot be pulled: the commit its labels name, the make targets.
    labels = engine.images.get(framework.ref).attrs["Config"]["Labels"]
    rebuild = "\n".join(answer["rebuild"])
    assert f"git checkout {labels['org.opencontainers.image.revision']}" in rebuild
    assert f"make image/{framework.name} VARIANT={framework.variant} NO_CACHE=1" in rebuild


def test_train_refuses_bad_input_in_the_image(engine, framework, workspace):
    code, _, stderr = mlf_in_container(engine, framework, workspace, "train", "-P", "nope=1")
    assert code == 2 and "unknown parameter 'nope'" in stderr


def test_an_unwritable_workspace_is_refused_before_training(engine, framework, tmp_path):
    # A folder only root may write (the test runs as root in CI; the container as uid 1000): the store cannot be
    # created, and mlf says so before any training starts.
    workspace = tmp_path / "readonly"
    workspace.mkdir()
    os.chmod(workspace, 0o755)
    if os.geteuid() != 0:
        os.chmod(workspace, 0o555)
    code, _, stderr = mlf_in_container(engine, framework, workspace, "train")
    assert code == 2, stderr[-4000:]
    assert "the MLflow tracking store is not writable" in stderr and "training " not in stderr
    assert list(workspace.iterdir()) == []
