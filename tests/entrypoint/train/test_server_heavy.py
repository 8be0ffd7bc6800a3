"""The heavier variants against the session's tracking server (`make test-all`). Marked heavy: each trains the
PyTorch example or trains twice more, several minutes on this project's 2-core machine, beyond what one CI run
spends on the server (test_server.py and tests/images/test_tracking_server.py cover the same paths cheaply).

- `mlf train --nproc 2`: one run on the server, logged by rank 0 alone (one metric point per epoch, not two), with
  its fingerprint and world size; a second host reproduces it from the run id alone.
- `mlf verify` on another host: both fresh runs give the fingerprint the server recorded for the first host's run.
"""

from __future__ import annotations

import json
import shutil

import pytest

from ..conftest import mlf
from .projects import environment
from .test_server import project

pytestmark = [pytest.mark.heavy, pytest.mark.slow]


def test_two_ranks_make_one_run_on_the_server_logged_by_rank_0(tracking_server, tmp_path, store_template):
    lab, alice = tracking_server, tracking_server.users["alice"]
    env = environment(MLF_IMAGE_EXAMPLE="pytorch_digits", MLFLOW_TRACKING_URI=lab.uri, **alice.environment())
    folder = tmp_path / "ranks"
    folder.mkdir()
    shutil.copy(store_template, folder / "mlflow.db")
    experiment = "ranks-" + tmp_path.name[-8:]
    done = mlf("train", str(folder), "--no-lint", "--nproc", "2", "--experiment", experiment, "-P", "epochs=1",
               "-P", "workers=0", "--format", "json", env=env, timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout)
    admin = lab.server.client()
    found = admin.get_experiment_by_name(experiment)
    runs = admin.search_runs([found.experiment_id])
    assert [run.info.run_id for run in runs] == [summary["run_id"]]  # one run for the two ranks
    run = runs[0]
    assert run.info.status == "FINISHED" and run.data.tags["mlf.fingerprint"] == summary["fingerprint"]
    assert run.data.tags["mlf.world_size"] == "2"
    for key in run.data.metrics:
        assert len(admin.get_metric_history(run.info.run_id, key)) == 1, key  # rank 0 alone logged epoch 0
    assert "mlf/distributed.json" in admin.artifact_files(run.info.run_id)
    # The example's logged model (MLflow 3 keeps it beside the run) is delivered too, READY, its files there.
    models = admin.search_logged_models(experiment_ids=[found.experiment_id],
                                        filter_string=f"source_run_id = '{run.info.run_id}'")
    assert [(m.name, str(m.status)) for m in models] == [("model", "READY")]
    assert "MLmodel" in {f.path for f in admin.list_logged_model_artifacts(models[0].model_id)}


def test_verify_on_another_host_gives_the_fingerprint_the_server_recorded(tracking_server, tmp_path, store_template):
    lab = tracking_server
    env = environment(MLFLOW_TRACKING_URI=lab.uri, **lab.users["alice"].environment())
    first = project(tmp_path / "first", store_template)
    done = mlf("train", str(first), "--no-lint", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr[-4000:]
    recorded = lab.server.client().get_run(json.loads(done.stdout)["run_id"]).data.tags["mlf.fingerprint"]
    other = project(tmp_path / "other", store_template)
    env = environment(MLFLOW_TRACKING_URI=lab.uri, **lab.users["bob"].environment())
    verified = mlf("verify", str(other), "--no-lint", "--format", "json", env=env, timeout=1800)
    assert verified.returncode == 0, verified.stderr[-4000:]
    summary = json.loads(verified.stdout)
    assert summary["identical"] is True
    assert [run["fingerprint"] for run in summary["runs"]] == [recorded, recorded]
    assert all(run["delivery"] == "delivered" for run in summary["runs"])
