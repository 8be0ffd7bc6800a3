"""The rendered Slurm script's preemption path, run for real on this host: bash runs the script as the batch shell,
with stand-ins for the two programs a Slurm node has and this one does not (`apptainer exec`, which here runs the
command in the bound folder with the APPTAINERENV_* and --env variables only, and `scontrol`, which records its
arguments). SIGUSR1 to the batch shell (what `--signal=B:USR1@120` sends) stops the training through the trap and
requeues the job; the job started again with the same SLURM_JOB_ID (a requeue keeps it) resumes the same MLflow run
through the checkpoint that names it, and ends with the fingerprint of an uninterrupted job. A job with another id
starts a new run instead."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# A training of 30 steps that sleeps 0.1 s in each, through the step hook; its state is one vector and NumPy's
# global generator, both in its checkpoint. It writes `started` in the project after its first step.
TRAIN_PY = '''\
import argparse, json, pathlib, time
import numpy as np
from mlfcore.entrypoint import checkpoint
from mlfcore.entrypoint.steps import Steps

parser = argparse.ArgumentParser()
parser.add_argument("--output", type=pathlib.Path, required=True)
args = parser.parse_args()
folder = checkpoint.folder_from_environment()
w, start = np.zeros(3), 0
found = checkpoint.load(folder)
if found:
    manifest, path = found
    saved = json.loads(path.read_text())
    w, start = np.array(saved["w"]), manifest["step"]
    name, keys, pos, gauss, cached = saved["rng"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, gauss, cached))

def save(step, stopping):
    name, keys, pos, gauss, cached = np.random.get_state()
    payload = json.dumps({"w": w.tolist(), "rng": [name, keys.tolist(), pos, gauss, cached]})
    checkpoint.write_atomically(checkpoint.payload_path(folder, step, 0), lambda p: p.write_text(payload))
    checkpoint.commit(folder, step, 1, extra={"stopped": stopping})

steps = Steps(save).start(start)
for _ in range(start, 30):
    w = w * 0.5 + np.random.rand(3)
    time.sleep(0.1)
    steps.done()
    pathlib.Path("started").touch()
args.output.mkdir(parents=True, exist_ok=True)
np.save(args.output / "w.npy", w)
'''

APPTAINER = '''\
#!{python}
import os, sys
args, env = sys.argv[2:], {{k[13:]: v for k, v in os.environ.items() if k.startswith("APPTAINERENV_")}}
env.update(PATH=os.environ["PATH"], HOME=os.environ["HOME"])
assert sys.argv[1] == "exec", sys.argv
while args[0].startswith("--"):
    if args[0] in ("--cleanenv", "--nv"):
        args = args[1:]
        continue
    flag, value, args = args[0], args[1], args[2:]
    if flag == "--bind":
        host, inside = value.split(":")
    elif flag == "--env":
        env.update([value.split("=", 1)])
image, command = args[0], args[1:]
os.chdir(host)  # the container's {{inside}}, the folder --pwd names
os.execvpe(command[0], command, env)
'''


@pytest.fixture
def node(tmp_path):
    """A bin folder with the stand-ins first on PATH, this venv's `mlf` next."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "apptainer").write_text(APPTAINER.format(python=sys.executable))
    (folder / "scontrol").write_text(f'#!/bin/sh\necho "$@" >> {shlex.quote(str(tmp_path / "scontrol.log"))}\n')
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return folder


def project(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN_PY)
    (folder / "MLproject").write_text(f'name: requeued\nentry_points:\n  main:\n    command: '
                                      f'"{shlex.quote(sys.executable)} train.py --output {{output_dir}}"\n')
    return folder


def batch_job(script, workdir, node, job_id):
    env = {"PATH": f"{node}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
           "HOME": os.environ["HOME"], "SLURM_JOB_ID": job_id, "SLURM_SUBMIT_DIR": str(workdir),
           "IMAGE_DIGEST": "sha256:" + "ab" * 32}
    return subprocess.Popen(["bash", str(script)], env=env, cwd=workdir, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process, timeout=300):
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr[-3000:]
    return stdout + stderr


def runs(folder):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{folder / 'mlflow.db'}")
    return client.search_runs([e.experiment_id for e in client.search_experiments()])


@pytest.mark.stress
def test_a_requeued_job_resumes_its_run_through_its_checkpoint(rendered, node, tmp_path):
    script = rendered["pytorch"] / "deploy" / "slurm" / "train.sbatch"
    whole = project(tmp_path, "whole")
    finished(batch_job(script, whole, node, "100"))
    (expected,) = runs(whole)

    workdir = project(tmp_path, "preempted")
    job = batch_job(script, workdir, node, "4242")
    deadline = time.monotonic() + 300
    while not (workdir / "started").exists():
        assert job.poll() is None and time.monotonic() < deadline, job.communicate()[1][-3000:]
        time.sleep(0.1)
    job.send_signal(signal.SIGUSR1)  # Slurm's --signal=B:USR1@120 reaches the batch shell only
    assert "preempted: stopping the training and requeueing job 4242" in finished(job, timeout=60)
    assert (tmp_path / "scontrol.log").read_text() == "requeue 4242\n"
    (run,) = runs(workdir)
    assert run.info.status == "KILLED"
    manifest = json.loads((workdir / ".mlf" / "checkpoints" / run.info.run_id / "checkpoint.json").read_text())
    assert manifest["run_id"] == run.info.run_id and manifest["job_id"] == "4242"
    assert 0 < manifest["step"] < 30 and run.data.tags["mlf.step_reached"] == str(manifest["step"])

    shutil.copytree(workdir, tmp_path / "copy", symlinks=True)  # the same folder, for another job below
    finished(batch_job(script, workdir, node, "4242"))  # the requeued job: same script, same job id
    (resumed,) = runs(workdir)
    assert resumed.info.run_id == run.info.run_id and resumed.info.status == "FINISHED"
    assert resumed.data.tags["mlf.resumed_from_step"] == str(manifest["step"])
    assert resumed.data.tags["mlf.fingerprint"] == expected.data.tags["mlf.fingerprint"]

    other = tmp_path / "copy"
    finished(batch_job(script, other, node, "5151"))  # another job does not take over 4242's run
    assert sorted(r.info.status for r in runs(other)) == ["FINISHED", "KILLED"]
