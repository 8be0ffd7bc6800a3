"""`mlf train` across interruptions, `mlf verify --resume-at` and `mlf bench`, on a tiny NumPy training that uses
the step hook and checkpoints (its state: one vector and NumPy's global generator)."""

import json
import shlex
import sys

import pytest

from ..conftest import mlf
from .projects import environment, runs

STEPS_PY = '''\
import argparse, json, pathlib
import numpy as np
from mlfcore.entrypoint import checkpoint
from mlfcore.entrypoint.steps import Steps

parser = argparse.ArgumentParser()
parser.add_argument("--output", type=pathlib.Path, required=True)
parser.add_argument("--steps", type=int, default=12)
parser.add_argument("--restore-rng", default="true")
args = parser.parse_args()
folder = checkpoint.folder_from_environment()
state = {"w": np.zeros(3)}
start = 0
found = checkpoint.load(folder) if folder else None
if found:
    manifest, path = found
    saved = json.loads(path.read_text())
    state["w"], start = np.array(saved["w"]), manifest["step"]
    if args.restore_rng == "true":
        name, keys, pos, gauss, cached = saved["rng"]
        np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, gauss, cached))

def save(step, stopping):
    name, keys, pos, gauss, cached = np.random.get_state()
    payload = json.dumps({"w": state["w"].tolist(), "rng": [name, keys.tolist(), pos, gauss, cached]})
    checkpoint.write_atomically(checkpoint.payload_path(folder, step, 0), lambda p: p.write_text(payload))
    checkpoint.commit(folder, step, 1, partitioning="all rows", extra={"stopped": stopping})

steps = Steps(save if folder else None).start(start)
for _ in range(start, args.steps):
    state["w"] = state["w"] * 0.5 + np.random.rand(3)
    steps.done()
args.output.mkdir(parents=True, exist_ok=True)
np.save(args.output / "w.npy", state["w"])
'''

MLPROJECT = '''\
name: stepped
entry_points:
  main:
    parameters:
      restore_rng: {{type: string, default: "true"}}
    command: "{python} train.py --output {{output_dir}} --restore-rng {{restore_rng}}"
  plain:
    command: "{python} -c 'import sys, pathlib; p = pathlib.Path(sys.argv[1]); p.mkdir(); (p / \\"x\\").write_text(\\"1\\")' {{output_dir}}"
'''


@pytest.fixture
def stepped(tmp_path, store_template):
    import shutil

    project = tmp_path / "stepped"
    project.mkdir()
    (project / "train.py").write_text(STEPS_PY)
    (project / "MLproject").write_text(MLPROJECT.format(python=shlex.quote(sys.executable)))
    shutil.copy(store_template, project / "mlflow.db")
    return project


def train(project, *args, **env):
    return mlf("train", str(project), "--json", "--no-lint", *args, env=environment(**env))


def test_a_stopped_run_is_killed_with_its_step_and_training_again_resumes_it_to_the_same_bits(stepped):
    whole = train(stepped)
    assert whole.returncode == 0, whole.stderr[-3000:]
    stopped = train(stepped, MLF_STOP_AT_STEP="5")
    assert stopped.returncode == 143, stopped.stderr[-3000:]
    run_id = json.loads(stopped.stdout)["run_id"]
    (run,) = [r for r in runs(stepped) if r.info.run_id == run_id]
    assert run.info.status == "KILLED" and run.data.tags["mlf.step_reached"] == "5"
    assert (stepped / ".mlf" / "checkpoints" / run_id / "checkpoint.json").is_file()
    resumed = train(stepped)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert json.loads(resumed.stdout)["run_id"] == run_id
    assert json.loads(resumed.stdout)["fingerprint"] == json.loads(whole.stdout)["fingerprint"]
    (run,) = [r for r in runs(stepped) if r.info.run_id == run_id]
    assert run.info.status == "FINISHED" and run.data.tags["mlf.resumed_from_step"] == "5"
    assert not (stepped / ".mlf" / "checkpoints" / run_id).exists()
    assert len(runs(stepped)) == 2


def test_distributed_json_names_world_size_partitioning_and_step(stepped, tmp_path, monkeypatch):
    stopped = train(stepped, MLF_STOP_AT_STEP="3")
    run_id = json.loads(stopped.stdout)["run_id"]
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(stepped)  # the store's artifact locations are relative to the project (docs/train.md)

    path = MlflowClient(f"sqlite:///{stepped / 'mlflow.db'}").download_artifacts(run_id, "mlf/distributed.json",
                                                                                 str(tmp_path))
    record = json.loads(open(path).read())
    assert record["world_size"] == 1 and record["partitioning"] == "all rows"
    assert record["step_reached"] == 3 and record["stopped"] == "MLF_STOP_AT_STEP=3"


def test_resuming_under_another_environment_key_exits_3_and_leaves_the_run_killed(stepped):
    stopped = train(stepped, MLF_STOP_AT_STEP="4")
    run_id = json.loads(stopped.stdout)["run_id"]
    moved = train(stepped, "--nproc", "2")  # another world size: another environment key
    assert moved.returncode == 3, moved.stderr[-3000:]
    assert "environment key" in moved.stderr
    assert [r.info.status for r in runs(stepped) if r.info.run_id == run_id] == ["KILLED"]


def test_verify_resume_at_passes_and_fails_without_the_rng_restore(stepped):
    good = mlf("verify", str(stepped), "--no-lint", "--resume-at", "5", env=environment())
    assert good.returncode == 0, good.stderr[-3000:]
    bad = mlf("verify", str(stepped), "--no-lint", "--resume-at", "5", "-P", "restore_rng=false",
              env=environment())
    assert bad.returncode == 1, bad.stderr[-3000:]
    assert "w.npy" in bad.stderr


def test_bench_reports_every_mode_and_logs_a_run(stepped):
    result = mlf("bench", str(stepped), "--steps", "4", "--repeats", "2", "--json", env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert set(summary["seconds_per_step"]) == {"deterministic", "deterministic, no fill", "default",
                                                "default, host threads"}
    assert len(summary["repeats"]) == 2 and all(v > 0 for v in summary["seconds_per_step"].values())
    ratio = summary["ratios"]["determinism"]
    assert ratio["min"] <= ratio["median"] <= ratio["max"]
    (run,) = [r for r in runs(stepped) if r.info.run_id == summary["run_id"]]
    assert run.data.tags["mlf.bench"] == "true" and run.info.status == "FINISHED"


def test_bench_refuses_a_training_without_the_step_hook(stepped):
    result = mlf("bench", str(stepped), "-e", "plain", env=environment())
    assert result.returncode == 1
    assert "did not stop after 20 steps through the step hook" in result.stderr


def test_only_the_run_its_checkpoint_names_is_resumed(stepped):
    stopped = train(stepped, MLF_STOP_AT_STEP="5")
    run_id = json.loads(stopped.stdout)["run_id"]
    manifest_path = stepped / ".mlf" / "checkpoints" / run_id / "checkpoint.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["run_id"] == run_id and manifest["job_id"] == ""
    manifest_path.write_text(json.dumps({**manifest, "run_id": "0" * 32}))  # a checkpoint of another run
    fresh = train(stepped)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert json.loads(fresh.stdout)["run_id"] != run_id
    assert [r.info.status for r in runs(stepped) if r.info.run_id == run_id] == ["KILLED"]


def test_a_job_resumes_its_own_run_and_not_another_jobs(stepped):
    stopped = train(stepped, MLF_STOP_AT_STEP="5", MLF_JOB_ID="7")
    run_id = json.loads(stopped.stdout)["run_id"]
    other = train(stepped, MLF_JOB_ID="8")  # another job: a new run
    assert other.returncode == 0 and json.loads(other.stdout)["run_id"] != run_id
    unnamed = train(stepped, MLF_STOP_AT_STEP="3")  # no job id: not job 7's run either
    assert json.loads(unnamed.stdout)["run_id"] != run_id
    requeued = train(stepped, MLF_JOB_ID="7")  # the same job again (a Slurm requeue keeps its id)
    assert requeued.returncode == 0 and json.loads(requeued.stdout)["run_id"] == run_id


def test_verify_leaves_a_killed_run_of_the_project_alone(stepped):
    stopped = train(stepped, MLF_STOP_AT_STEP="5")
    run_id = json.loads(stopped.stdout)["run_id"]
    result = mlf("verify", str(stepped), "--no-lint", "--resume-at", "3", "--json", env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    assert run_id not in {r["run_id"] for r in json.loads(result.stdout)["runs"]}
    assert [r.info.status for r in runs(stepped) if r.info.run_id == run_id] == ["KILLED"]
