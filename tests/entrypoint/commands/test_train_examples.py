"""The bundled examples under `mlf train` on the host, as an empty /workspace runs them in an image: the MLflow store
read back with MLflow's client — params, metrics per epoch, artifacts, and the logged model loads and predicts —
and each training's fingerprint is its golden value (scaffold/golden/fingerprints.toml, docs/PROOF.md)."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from mlfcore.entrypoint import frameworks
from mlfcore.scaffold.golden import check, table

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment

pytestmark = pytest.mark.slow


def _suite_size(example: str) -> dict[str, str]:
    """The example's training the suite does in the venv: its golden entry's parameters (one owner of the size and
    the value it gives, scaffold/golden/fingerprints.toml)."""
    found = [entry.params for entry in table.load().entries if entry.example == example and entry.runtime == "venv"
             and entry.suite and not entry.mode and entry.device == "cpu"]
    assert len(found) == 1, f"{example}: {len(found)} suite entries for the venv in the golden table (want one)"
    return found[0]


# The smallest useful trainings: (parameter, metric, how many values it logs).
SMALL = {name: (f"{key}={value}", "loss", int(value))
         for name, (_, example) in frameworks.examples().items() if not example.opt_in
         for key, value in list(_suite_size(name).items())[:1]}


def train_example(example, workspace):
    parameter, _, _ = SMALL[example]
    result = mlf("train", str(workspace), "--json", "-P", parameter, env=environment(MLF_IMAGE_EXAMPLE=example),
                 timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module", params=list(SMALL))
def trained(request, tmp_path_factory, store_template):  # noqa: F811
    """(example, workspace, summary): one training of each example, which the tests below share."""
    import shutil

    workspace = tmp_path_factory.mktemp(request.param) / "workspace"
    workspace.mkdir()
    shutil.copy(store_template, workspace / "mlflow.db")
    return request.param, workspace, train_example(request.param, workspace)


def test_example_run_reads_back_and_its_model_predicts(trained, monkeypatch):
    import mlflow
    from mlflow.tracking import MlflowClient

    example, workspace, summary = trained
    client = MlflowClient(summary["tracking_uri"])
    run = client.get_run(summary["run_id"])
    assert run.info.status == "FINISHED" and run.data.tags["mlf.example"] == example
    _, metric, epochs = SMALL[example]
    assert [m.step for m in client.get_metric_history(run.info.run_id, metric)] == list(range(epochs))
    assert run.data.params["mlf.param." + SMALL[example][0].split("=")[0]] == SMALL[example][0].split("=")[1]
    # The final metrics enter the fingerprint by name.
    manifest = json.loads((workspace / "mlruns" / example / run.info.run_id / "artifacts" / "mlf" /
                           "fingerprint.json").read_text())
    assert f"metric:{metric}" in [a["name"] for a in manifest["artifacts"]]

    monkeypatch.setenv("MLFLOW_TRACKING_URI", summary["tracking_uri"])  # runs:/ URIs resolve through it
    monkeypatch.chdir(workspace)  # and artifact locations relative to the project
    model = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    shape = [3 if size == -1 else size for size in model.metadata.get_input_schema().inputs[0].shape]
    assert np.asarray(model.predict(np.zeros(shape, dtype=np.float32))).shape[0] == 3


@pytest.mark.golden
def test_example_gives_its_golden_fingerprint(trained):
    example, workspace, summary = trained
    name, _, value = SMALL[example][0].partition("=")
    outcome = check.of_run(workspace, summary["run_id"], example, "venv", params={name: value})
    assert outcome.matched, outcome.failure


def test_mlflow_models_predict_serves_the_logged_model(tmp_path, store_template):  # noqa: F811
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(store_template, workspace / "mlflow.db")
    summary = train_example("xgboost_digits", workspace)
    (tmp_path / "input.json").write_text(json.dumps({"inputs": np.zeros((2, 64)).tolist()}))
    command = [sys.executable, "-m", "mlflow", "models", "predict", "-m", f"runs:/{summary['run_id']}/model",
               "-i", str(tmp_path / "input.json"), "-t", "json", "--env-manager", "local"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=workspace,
                            env=environment(MLFLOW_TRACKING_URI=summary["tracking_uri"]))
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(json.loads(result.stdout)["predictions"]) == 2
