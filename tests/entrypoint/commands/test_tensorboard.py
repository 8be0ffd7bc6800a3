"""`mlf tensorboard` as a user meets it: runs that `mlf train` recorded with SummaryWriter's event files, opened by a
real TensorBoard server whose HTTP API is read back, stopped by SIGTERM to mlf; its bad inputs; and the line
`mlf train` and `mlf verify` end with when their runs have event files.

TensorFlow is installed in the test environment, and both SummaryWriter and TensorBoard import it when it is there
(tensorboard/compat/__init__.py): 12 s of CPU each on the 2-core test machine. A folder first on PYTHONPATH hides it,
so they use TensorBoard's own stub, as they do wherever TensorFlow is not installed (our pytorch and base images).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlfcore.entrypoint.commands import tensorboard as command
from mlfcore.entrypoint.train import expect, fingerprint, tracking

from tests.tensorboard_http import poll

from ..conftest import MLF, mlf
from ..reliability import note
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment, make_project, script_project

LOSSES = [0.75, 0.5, 0.375]  # exact in float32, as TensorBoard stores a scalar
BOARDS = f'''\
import os
from torch.utils.tensorboard import SummaryWriter

with SummaryWriter(os.environ["MLF_OUTPUT_DIR"]) as writer:
    for step, loss in enumerate({LOSSES!r}):
        writer.add_scalar("loss", loss, step)
with open(os.path.join(os.environ["MLF_OUTPUT_DIR"], "model.txt"), "w") as model:
    model.write("weights")
'''
UP_S = 240  # how long TensorBoard may take to serve both runs (measured: 6 s idle, 2 cores)
LINE = "open in TensorBoard  "


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    shim = tmp_path_factory.mktemp("no-tensorflow") / "tensorflow"
    shim.mkdir()
    (shim / "__init__.py").write_text('raise ImportError("hidden by the test: see the module docstring")\n')
    return environment(PYTHONPATH=str(shim.parent), XDG_CACHE_HOME=str(tmp_path_factory.mktemp("cache")))


def _train(project: Path, env: dict) -> tuple[str, str]:
    result = mlf("train", str(project), "--json", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)["run_id"], result.stderr


@pytest.fixture(scope="module")
def boards(tmp_path_factory, store_template, env):  # noqa: F811
    """A project whose two runs wrote `loss` with SummaryWriter: (project, run ids, stderr of the first train)."""
    project = script_project(tmp_path_factory.mktemp("boards") / "boards", BOARDS, store_template)
    first, stderr = _train(project, env)
    second, _ = _train(project, env)
    return SimpleNamespace(project=project, runs=[first, second], stderr=stderr)


@pytest.fixture(scope="module")
def plain(tmp_path_factory, store_template, env):  # noqa: F811
    """The tiny NumPy project (no event files) and its one run."""
    project = make_project(tmp_path_factory.mktemp("plain") / "tiny", store_template)
    result = mlf("train", str(project), "--json", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return SimpleNamespace(project=project, summary=json.loads(result.stdout), stderr=result.stderr)


def _last_line(stderr: str) -> str:
    return stderr.rstrip("\n").splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_tensorboard_shows_two_runs_side_by_side_and_ends_with_mlf(boards, env, tmp_path):
    import psutil

    first, second = boards.runs
    port, log = _free_port(), tmp_path / "tensorboard.log"
    with log.open("wb") as output:
        server = subprocess.Popen([*MLF, "tensorboard", first, second, "--port", str(port), "-C",
                                   str(boards.project)], env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        names = [f"{first[:8]}/outputs", f"{second[:8]}/outputs"]  # each run: <8 chars of its id>/<its folder>
        assert sorted(poll(f"{url}/data/runs", lambda runs: len(runs) >= 2, server, log, UP_S)) == sorted(names)
        for name in names:
            query = urllib.parse.urlencode({"run": name, "tag": "loss"})
            points = poll(f"{url}/data/plugin/scalars/scalars?{query}", lambda found: len(found) >= len(LOSSES),
                          server, log, UP_S)
            assert [(step, value) for _, step, value in points] == list(enumerate(LOSSES))
        family = [server.pid] + [child.pid for child in psutil.Process(server.pid).children(recursive=True)]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=UP_S) == 0, log.read_text()[-4000:]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    # mlf became TensorBoard (exec): the signal reached TensorBoard itself, and nothing it started outlived it.
    assert "TensorBoard caught SIGTERM; exiting" in log.read_text()
    _, alive = psutil.wait_procs([p for p in map(_process, family) if p is not None], timeout=UP_S)
    assert alive == [], f"left behind: {alive}"


def _process(pid: int):
    import psutil

    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None


def test_print_gives_the_tensorboard_command_with_runs_and_folders(boards, env, tmp_path):
    first = boards.runs[0]
    folder = boards.project / "outputs" / first
    result = mlf("tensorboard", first, "--logdir", str(folder), "-C", str(boards.project), "--print",
                 "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    artifacts = boards.project / "mlruns" / "boards" / first / "artifacts"  # read in place, not copied
    assert document["runs"] == [{"name": first[:8], "run_id": first, "folder": str(artifacts)},
                                {"name": first, "run_id": None, "folder": str(folder)}]
    assert document["command"][1:] == ["--logdir_spec", f"{first[:8]}:{artifacts},{first}:{folder}", "--host",
                                       "127.0.0.1", "--port", "6006", "--load_fast=false"]
    assert document["url"] == "http://127.0.0.1:6006/"


def _one_error(result, words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and words in errors[0], result.stderr


def _tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_bad_inputs_exit_2_with_one_line_naming_the_bad_thing(boards, plain, env, tmp_path):
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "model.txt").write_text("no events")
    before = _tree(plain.project)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    recorded = boards.project / "outputs" / boards.runs[0]
    cases = [
        ("`tensorboard --logdir` of a folder without event files", ["--logdir", str(empty)],
         f"--logdir {empty} holds no TensorBoard event files"),
        ("`tensorboard` of an unknown run id", ["0123abcd", "-C", str(plain.project)], "no run '0123abcd'"),
        ("`tensorboard` of a run without event files", [plain.summary["run_id"], "-C", str(plain.project)],
         f"run {plain.summary['run_id']} has no TensorBoard event files"),
        ("`tensorboard --port` of a port something listens on", ["--logdir", str(recorded), "--port", str(port)],
         f"TensorBoard cannot listen on 127.0.0.1 port {port}"),
    ]
    with taken:
        for case, argv, words in cases:
            _one_error(mlf("tensorboard", *argv, env=env, timeout=120), words)
            note("bad input", case, "exit 2, one line, nothing written")
    assert _tree(plain.project) == before and _tree(empty) == ["sub", "sub/model.txt"]
    assert not (Path(env["XDG_CACHE_HOME"]) / "mlfcore" / command.CACHE).exists()


def test_without_tensorboard_installed_it_says_how_to_get_it(boards, env):
    hidden = "import sys; sys.modules['tensorboard'] = None; from mlfcore.entrypoint.cli.app import run; run()"
    result = subprocess.run([sys.executable, "-c", hidden, "tensorboard", boards.runs[0], "-C", str(boards.project)],
                            env=env, capture_output=True, text=True, timeout=120)
    _one_error(result, "needs TensorBoard, which is not installed")
    assert "it comes with the mlfcore images; elsewhere: pip install 'mlfcore[tensorboard]'" in result.stderr
    note("bad input", "`tensorboard` where TensorBoard is not installed", "exit 2, one line, nothing written")


def test_train_ends_with_the_command_only_when_the_run_has_event_files(boards, plain):
    assert _last_line(boards.stderr) == f"{LINE}mlf tensorboard {boards.runs[0]}"
    assert "TensorBoard" not in plain.stderr and _last_line(plain.stderr).startswith("open the UI")


def test_verify_ends_with_the_command_for_all_its_runs_only_when_they_have_event_files(
        boards, plain, env, tmp_path, store_template):  # noqa: F811
    # Each run writes its event file anew (its own wall times and file name): the fingerprint reads what they log,
    # so the two runs still agree bit for bit.
    project = script_project(tmp_path / "again", BOARDS, store_template)
    result = mlf("verify", str(project), "--json", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    ids = [run["run_id"] for run in json.loads(result.stdout)["runs"]]
    assert _last_line(result.stderr) == f"{LINE}mlf tensorboard {ids[0]} {ids[1]}"
    written = expect.written(plain.summary["fingerprint"], fingerprint.ALGORITHM)  # as verify takes it
    again = mlf("verify", str(plain.project), "--runs", "1", "--expect", written, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "TensorBoard" not in again.stderr


def test_in_one_of_our_images_the_line_is_the_docker_run_of_that_image(boards, monkeypatch):
    image = {"name": "mlfcore/pytorch", "tag": "0.1.0-torch2.13.0-cpu", "variant": "cpu"}
    record = {"system": {"container": {"inside": True, "image": image}}}
    run = SimpleNamespace(run_id=boards.runs[0], store=tracking.resolve(boards.project), record=record)
    line = command.viewing_line([run], boards.project)
    assert line == ('docker run --rm -p 127.0.0.1:6006:6006 -v "$PWD":/workspace mlfcore/pytorch:0.1.0-torch2.13.0-cpu '
                    f"tensorboard {boards.runs[0]} --host 0.0.0.0")
    elsewhere = {"system": {"container": {"inside": True, "image": {"name": None}}}}  # a container of the user's
    assert command.viewing_line([SimpleNamespace(**{**vars(run), "record": elsewhere})], boards.project) == \
        f"mlf tensorboard {boards.runs[0]}"


def test_a_servers_event_folders_are_downloaded_whole_into_the_cache_and_reused(boards, tmp_path, monkeypatch):
    # What a tracking server's run takes (client.download_artifacts into a folder): here from the project's store,
    # which MLflow copies the same way when given a destination.
    monkeypatch.chdir(boards.project)  # artifact locations are relative to the project
    client = tracking.client(tracking.resolve(boards.project))
    run = client.get_run(boards.runs[0])
    folders = command.event_folders(client, run.info.run_id)
    assert folders == ["outputs"]
    cache = tmp_path / "cache"
    copy = command._download(client, run, folders, cache)
    assert copy == cache / run.info.run_id and sorted(p.name for p in cache.iterdir()) == [run.info.run_id]
    recorded = boards.project / "outputs" / run.info.run_id
    assert sorted(p.name for p in (copy / "outputs").iterdir()) == sorted(p.name for p in recorded.iterdir())
    (copy / "outputs" / "model.txt").unlink()  # a finished run's copy is not fetched again
    assert command._download(client, run, folders, cache) == copy and not (copy / "outputs" / "model.txt").exists()
