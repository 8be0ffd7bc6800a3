"""The bundled examples under `mlf train` on the host, as an empty /workspace runs them in an image: the MLflow store
read back with MLflow's client — params, metrics per epoch, artifacts, and the logged model loads and predicts."""

import json
import subprocess
import sys

import numpy as np
import pytest

from mlfcore.entrypoint import frameworks

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment

pytestmark = pytest.mark.slow

# The smallest useful trainings (each framework's Example.smoke): (parameter, metric, how many values it logs).
SMALL = {name: (f"{key}={value}", "loss", value)
         for name, (_, example) in frameworks.examples().items() if not example.opt_in
         for key, value in list(example.smoke.items())[:1]}


def train_example(example, workspace):
    parameter, _, _ = SMALL[example]
    result = mlf("train", str(workspace), "--json", "-P", parameter, env=environment(MLF_IMAGE_EXAMPLE=example),
                 timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


@pytest.mark.parametrize("example", list(SMALL))
def test_example_run_reads_back_and_its_model_predicts(example, tmp_path, store_template, monkeypatch):  # noqa: F811
    import shutil

    import mlflow
    from mlflow.tracking import MlflowClient

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(store_template, workspace / "mlflow.db")
    summary = train_example(example, workspace)
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


def test_mlflow_models_predict_serves_the_logged_model(tmp_path, store_template):  # noqa: F811
    import shutil

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
