"""`mlf train` against a lab's tracking server (the session's real `mlflow server` on PostgreSQL, tests/
tracking_server.py): the run is recorded in the project first, delivered whole under the same id, FINISHED on the
server only with its fingerprint, and a server that is gone when the training ends costs a bounded wait and an
exit code, never the record."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from ..conftest import MLF, mlf
from ..reliability import note
from .projects import environment, runs, script_project

# Logs a metric per epoch and an artifact, writes its outputs; with HOLD set, it writes STARTED and waits for the
# file HOLD before it ends (the test decides when the training ends). With PROCESSES set, it writes every process's
# command line and its own environment there (checked for credentials).
TRAIN = '''import os, pathlib, time
import mlflow
import numpy as np
out = pathlib.Path(os.environ["MLF_OUTPUT_DIR"])
if os.environ.get("PROCESSES"):
    lines = []
    for cmdline in pathlib.Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    lines.append(pathlib.Path("/proc/self/environ").read_bytes().replace(b"\\0", b"\\n").decode(errors="replace"))
    pathlib.Path(os.environ["PROCESSES"]).write_text("\\n".join(lines))
weight = np.random.rand(4, 3)
with mlflow.start_run(run_id=os.environ["MLFLOW_RUN_ID"]):
    for epoch in range(3):
        weight = weight * 0.5 + np.random.rand(4, 3)
        mlflow.log_metric("loss", float(weight.mean()), step=epoch)
    mlflow.log_text("a note", "notes/note.txt")
np.save(out / "weight.npy", weight)
if os.environ.get("HOLD"):
    pathlib.Path(os.environ["STARTED"]).write_text("")
    while not pathlib.Path(os.environ["HOLD"]).exists():
        time.sleep(0.05)
'''


QUICK = 'import os, pathlib\npathlib.Path(os.environ["MLF_OUTPUT_DIR"], "a.txt").write_text("a")\n'


def project(folder: Path, store_template: Path) -> Path:
    return script_project(folder, TRAIN, store_template)


def server_run(lab, run_id: str):
    return lab.server.client().get_run(run_id)


def history(client, run_id: str) -> list[tuple]:
    return [(m.step, m.timestamp, m.value) for m in client.get_metric_history(run_id, "loss")]


def project_store(folder: Path):
    from mlflow.tracking import MlflowClient

    return MlflowClient(f"sqlite:///{folder / 'mlflow.db'}")


def test_a_run_is_recorded_in_the_project_then_delivered_whole_and_credentials_go_nowhere(
        tracking_server, tmp_path, store_template):
    lab, alice = tracking_server, tracking_server.users["alice"]
    folder = project(tmp_path / "p", store_template)
    processes = tmp_path / "processes.txt"
    # Credentials in the URI itself (as some labs write them), and the password also where MLflow reads it.
    uri = f"http://alice:{alice.password}@127.0.0.1:{lab.server.port}"
    env = environment(MLFLOW_TRACKING_URI=uri, MLFLOW_TRACKING_PASSWORD=alice.password, PROCESSES=str(processes))
    done = mlf("train", str(folder), "--format", "json", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)  # stdout is the JSON alone: no "View run" line of MLflow's
    run_id = summary["run_id"]
    assert summary["delivery"] == "delivered" and summary["fingerprint"]
    there = server_run(lab, run_id)
    assert summary["ui"] == f"{lab.uri}/#/experiments/{there.info.experiment_id}/runs/{run_id}"
    assert summary["tracking_uri"] == f"http://***@127.0.0.1:{lab.server.port}"
    # The same run, the same id, in the project's store and on the server.
    here = project_store(folder).get_run(run_id)
    assert here.info.status == there.info.status == "FINISHED"
    assert there.data.tags["mlf.fingerprint"] == here.data.tags["mlf.fingerprint"] == summary["fingerprint"]
    assert there.data.tags["mlf.environment_key"] == summary["environment_key"]
    assert there.data.tags["mlflow.user"] == "alice"
    assert there.data.params == here.data.params and "mlf.seed" in there.data.params
    assert history(lab.server.client(), run_id) == history(project_store(folder), run_id)
    assert len(history(lab.server.client(), run_id)) == 3
    files = lab.server.client().artifact_files(run_id)
    for name in ("mlf/sysinfo.json", "mlf/fingerprint.json", "mlf/params.json", "outputs/weight.npy",
                 "notes/note.txt"):
        assert name in files, files
    assert not list((folder / ".mlf" / "outbox").glob("*.json"))  # nothing pending
    # The password is nowhere: not in what the server holds, the project, mlf's output, or the training's view.
    secret = alice.password
    recorded = [json.dumps(there.data.params), json.dumps(there.data.tags), done.stdout, done.stderr]
    downloads = tmp_path / "downloaded"
    downloads.mkdir()
    lab.server.client().download_artifacts(run_id, "", str(downloads))
    written = [p for p in [*downloads.rglob("*"), *folder.rglob("*")] if p.is_file()]
    assert all(secret.encode() not in p.read_bytes() for p in written), "the password was written down"
    assert all(secret not in text for text in recorded)
    seen = processes.read_text()
    assert "MLF_OUTPUT_DIR" in seen and secret not in seen  # every process's command line, the child's environment
    note("bad input", "MLFLOW_TRACKING_URI=http://user:PASSWORD@server (credentials in the URI)",
         "the password is in no param, tag, artifact, sysinfo, project file, output line, command line or the "
         "training's environment")


def _hold(folder: Path, tmp_path: Path, env: dict) -> tuple[subprocess.Popen, Path, Path]:
    started, go = tmp_path / "started", tmp_path / "go"
    env = {**env, "HOLD": str(go), "STARTED": str(started)}
    child = subprocess.Popen([*MLF, "train", str(folder), "--no-lint", "--format", "json"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not started.exists():
        assert child.poll() is None, child.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the training never started"
        time.sleep(0.05)
    return child, started, go


def test_a_server_gone_when_the_training_ends_leaves_the_run_pending_and_it_is_delivered_later(
        tracking_server, tmp_path, store_template):
    lab, bob = tracking_server, tracking_server.users["bob"]
    folder = project(tmp_path / "p", store_template)
    switch = lab.switch()
    try:
        env = environment(MLFLOW_TRACKING_URI=switch.uri, MLF_DELIVERY_TIMEOUT="3", **bob.environment())
        child, _, go = _hold(folder, tmp_path, env)
        switch.cut()  # the server is gone from here on, while the training still runs
        go.write_text("")
        ended = time.monotonic()
        out, err = child.communicate(timeout=600)
        waited = time.monotonic() - ended
        assert child.returncode == 75, err[-3000:]
        # A bounded wait (MLF_DELIVERY_TIMEOUT=3), not MLflow's retries: those took minutes.
        assert waited < 60, waited
        summary = json.loads(out)
        run_id = summary["run_id"]
        assert summary["delivery"] == "pending" and summary["fingerprint"]
        assert "mlf sync" in err and "recorded in the project" in err
        # The record is whole in the project; the server has the run's start, unfinished and without a fingerprint.
        here = project_store(folder).get_run(run_id)
        assert here.info.status == "FINISHED" and here.data.tags["mlf.fingerprint"] == summary["fingerprint"]
        there = server_run(lab, run_id)
        assert there.info.status == "RUNNING" and "mlf.fingerprint" not in there.data.tags
        assert "mlf.seed" in there.data.params  # the start was delivered while the server was there
        # mlf sync against the server that is still gone: a bounded wait, exit 75, the run named.
        still = mlf("sync", "-C", str(folder), "--timeout", "2", "--format", "json", env=env)
        assert still.returncode == 75, still.stderr[-3000:]
        assert [item["run_id"] for item in json.loads(still.stdout)["pending"]] == [run_id]
        switch.restore()
        delivered = mlf("sync", "-C", str(folder), "--format", "json", env=env)
        assert delivered.returncode == 0, delivered.stderr[-3000:]
        assert json.loads(delivered.stdout)["delivered"] == [run_id]
    finally:
        switch.cut()
    there = server_run(lab, run_id)
    assert there.info.status == "FINISHED" and there.data.tags["mlf.fingerprint"] == summary["fingerprint"]
    assert history(lab.server.client(), run_id) == history(project_store(folder), run_id)
    assert "outputs/weight.npy" in lab.server.client().artifact_files(run_id)
    assert not list((folder / ".mlf" / "outbox").glob("*.json"))
    note("fault", "the tracking server goes away while the training runs (back later)",
         "exit 75 within MLF_DELIVERY_TIMEOUT, the run whole in the project, unfinished on the server without a "
         "fingerprint; `mlf sync` delivers it FINISHED with everything")


def test_the_next_train_delivers_what_is_pending(tracking_server, tmp_path, store_template):
    lab, bob = tracking_server, tracking_server.users["bob"]
    folder = project(tmp_path / "p", store_template)
    switch = lab.switch()
    try:
        env = environment(MLFLOW_TRACKING_URI=switch.uri, MLF_DELIVERY_TIMEOUT="2", **bob.environment())
        child, _, go = _hold(folder, tmp_path, env)
        switch.cut()
        go.write_text("")
        out, err = child.communicate(timeout=600)
        assert child.returncode == 75, err[-3000:]
        first = json.loads(out)["run_id"]
        switch.restore()
        again = mlf("train", str(folder), "--no-lint", "--format", "json", env=env)
    finally:
        switch.cut()
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"delivered run {first}" in again.stderr
    second = json.loads(again.stdout)["run_id"]
    for run_id in (first, second):
        there = server_run(lab, run_id)
        assert there.info.status == "FINISHED" and "mlf.fingerprint" in there.data.tags
    assert {run.info.run_id for run in runs(folder)} == {first, second}


@pytest.mark.stress
@pytest.mark.parametrize("when", ["training", "delivering"])
def test_mlf_killed_never_leaves_a_finished_run_without_its_fingerprint_on_the_server(
        tracking_server, tmp_path, store_template, when):
    """The issue's second try: mlf stopped while it waited for a server that had gone away, or in the middle of the
    training. Once `mlf sync` ran, the server shows the run FINISHED with its fingerprint (mlf had recorded it), or
    FAILED (it had not): never FINISHED without one."""
    lab, bob = tracking_server, tracking_server.users["bob"]
    folder = project(tmp_path / "p", store_template)
    switch = lab.switch()
    try:
        env = environment(MLFLOW_TRACKING_URI=switch.uri, MLF_DELIVERY_TIMEOUT="600", **bob.environment())
        child, _, go = _hold(folder, tmp_path, env)
        run_id = next((folder / "outputs").glob("*/weight.npy")).parent.name
        switch.cut()
        if when == "delivering":
            go.write_text("")
            # mlf fingerprints, then waits for the server (up to 600 s): killed once the fingerprint is recorded
            # in the project (the training's own mlflow.start_run() block marked the run FINISHED before that).
            while "mlf.fingerprint" not in project_store(folder).get_run(run_id).data.tags:
                assert child.poll() is None, child.communicate()[1][-3000:]
                time.sleep(0.05)
        child.kill()
        child.communicate()
        assert server_run(lab, run_id).info.status == "RUNNING"
        switch.restore()
        done = mlf("sync", "-C", str(folder), "--format", "json", env=env)
    finally:
        switch.cut()
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["delivered"] == [run_id]
    there, here = server_run(lab, run_id), project_store(folder).get_run(run_id)
    assert there.info.status == here.info.status == ("FINISHED" if when == "delivering" else "FAILED")
    assert there.data.tags.get("mlf.fingerprint") == here.data.tags.get("mlf.fingerprint")
    assert (there.info.status == "FINISHED") == ("mlf.fingerprint" in there.data.tags)
    note("fault", f"mlf killed while {when} against a tracking server that went away",
         "`mlf sync` delivers the run's true end: FINISHED with its fingerprint, or FAILED, never FINISHED "
         "without one")


@pytest.mark.parametrize("command", [["env", "--format", "json"], ["sysinfo", "--fast", "--format", "json"],
                                     ["lint", "--format", "json", "{folder}"],
                                     ["hash", "-C", "{folder}", "train.py", "--format", "json"],
                                     ["sync", "-C", "{folder}", "--format", "json"]],
                         ids=lambda command: command[0])
def test_every_json_command_prints_json_alone_with_a_server_set(tracking_server, tmp_path, command):
    """train (above), reproduce (tests/images/test_tracking_server.py), verify (test_server_heavy.py) are checked
    where they run against the server; the rest here, with the server and a login set."""
    folder = script_project(tmp_path / "p", QUICK)
    env = environment(MLFLOW_TRACKING_URI=tracking_server.uri, **tracking_server.users["bob"].environment())
    done = mlf(*[part.format(folder=folder) for part in command], env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    json.loads(done.stdout)
