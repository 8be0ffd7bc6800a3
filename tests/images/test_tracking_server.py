"""Several hosts, one tracking server: containers of our base image train against the session's server
(tests/tracking_server.py) with `--network host`, as lab members on other machines would.

- Two containers train at the same time as two users (alice, bob); each run arrives complete: params, the metric
  history, artifacts, the fingerprint, the environment key, the user. A shared data set is mounted read-only as a
  data root.
- A third container has nothing but the code and a run id: `mlf reproduce RUN_ID` reads the run from the server
  (its project has no store), maps the data root by name (mounted elsewhere), re-runs it and matches the server's
  recorded fingerprint.

The credentials reach the containers through the engine's API (the SDK's `environment`), never a command line.
The base image has NumPy and MLflow's client, which is all this project needs.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.images

TRAIN = '''import os, pathlib
import mlflow
import numpy as np
out = pathlib.Path(os.environ["MLF_OUTPUT_DIR"])
root = pathlib.Path(os.environ.get("MLF_DATA_ROOT_ATLAS") or "/data/atlas")
scale = sum(len(p.read_bytes()) for p in sorted(root.rglob("*.txt")))
weight = np.random.rand(4, 3) * scale
with mlflow.start_run(run_id=os.environ["MLFLOW_RUN_ID"]):
    for epoch in range(3):
        weight = weight * 0.5 + np.random.rand(4, 3)
        mlflow.log_metric("loss", float(weight.mean()), step=epoch)
    mlflow.log_text("a note", "notes/note.txt")
np.save(out / "weight.npy", weight)
'''
PYPROJECT = '''[tool.mlf]
data = ["atlas:images"]

[tool.mlf.data_roots]
atlas = "/data/atlas"

[tool.mlf.train]
command = "python train.py"
experiment = "lab-containers"
'''


def code_only(folder: Path) -> Path:
    """The project's code and nothing else, writable by the containers' user (uid 1000)."""
    folder.mkdir(parents=True)
    (folder / "train.py").write_text(TRAIN)
    (folder / "pyproject.toml").write_text(PYPROJECT)
    for path in [folder, *folder.iterdir()]:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)
    return folder


@pytest.fixture
def atlas(tmp_path):
    folder = tmp_path / "atlas"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "a.txt").write_text("aa")
    (folder / "images" / "b.txt").write_text("bbb")
    return folder


def start(engine, image: str, project: Path, data: Path, user, *args: str, mount: str = "/data/atlas",
          environment: dict | None = None):
    return engine.containers.run(
        image, list(args), detach=True, network_mode="host",
        environment={"MLFLOW_TRACKING_URI": user.uri, **user.environment(), **(environment or {})},
        volumes={str(project): {"bind": "/workspace", "mode": "rw"}, str(data): {"bind": mount, "mode": "ro"}})


def finish(container, timeout: float = 900) -> tuple[int, str, str]:
    try:
        status = container.wait(timeout=timeout)
        return (status["StatusCode"], container.logs(stdout=True, stderr=False).decode(),
                container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


class Member:
    """A lab member's login, as a container gets it."""

    def __init__(self, lab, name: str) -> None:
        self.uri, self._user = lab.uri, lab.users[name]

    def environment(self) -> dict[str, str]:
        return self._user.environment()


def test_two_users_train_at_once_and_a_third_host_reproduces_from_the_run_id(engine, build_image, tracking_server,
                                                                              tmp_path, atlas):
    lab = tracking_server
    image = build_image("base", "cpu")
    members = {name: (Member(lab, name), code_only(tmp_path / name)) for name in ("alice", "bob")}
    running = {name: start(engine, image, project, atlas, member, "train", "--no-lint", "--format", "json")
               for name, (member, project) in members.items()}
    results = {name: finish(container) for name, container in running.items()}
    summaries = {}
    for name, (code, stdout, stderr) in results.items():
        assert code == 0, f"{name}: {stderr[-4000:]}"
        summaries[name] = json.loads(stdout)  # the JSON alone on stdout, from a container too
    admin = lab.server.client()
    for name, summary in summaries.items():
        assert summary["delivery"] == "delivered", summary
        run = admin.get_run(summary["run_id"])
        assert run.info.status == "FINISHED" and run.data.tags["mlflow.user"] == name
        assert run.data.tags["mlf.fingerprint"] == summary["fingerprint"]
        assert run.data.tags["mlf.environment_key"] == summary["environment_key"]
        assert run.data.params["mlf.seed"] == "0"
        assert [m.step for m in admin.get_metric_history(run.info.run_id, "loss")] == [0, 1, 2]
        files = admin.artifact_files(run.info.run_id)
        assert {"mlf/sysinfo.json", "mlf/data.json", "mlf/fingerprint.json", "outputs/weight.npy",
                "notes/note.txt"} <= set(files), files
    assert summaries["alice"]["run_id"] != summaries["bob"]["run_id"]
    # The same code, seed and data: the same bits, trained at once on two "hosts".
    assert summaries["alice"]["fingerprint"] == summaries["bob"]["fingerprint"]
    recorded = summaries["alice"]
    # A third host: the code, the run id, the data mounted elsewhere; no store, no outputs.
    third = code_only(tmp_path / "third")
    elsewhere = shutil.copytree(atlas, tmp_path / "mnt-atlas")
    container = start(engine, image, third, elsewhere, Member(lab, "bob"), "reproduce", recorded["run_id"],
                      "--format", "json", mount="/mnt/atlas", environment={"MLF_DATA_ROOT_ATLAS": "/mnt/atlas"})
    code, stdout, stderr = finish(container)
    assert code == 0, stderr[-4000:]
    reproduced = json.loads(stdout)
    assert reproduced["identical"] is True
    assert reproduced["recorded_fingerprint"] == admin.get_run(recorded["run_id"]).data.tags["mlf.fingerprint"]
    again = admin.get_run(reproduced["run"]["run_id"])
    assert again.info.status == "FINISHED" and again.data.tags["mlf.reproduces"] == recorded["run_id"]
    assert again.data.tags["mlflow.user"] == "bob"
