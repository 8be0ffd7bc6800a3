"""The `docker run` lines the docs show, run as written against the images built here.

Every `docker run` line in a shell block of README.md and docs/*.md is in RUN (run, with the few substitutions a
machine without a registry needs, each said in the table) or in NOT_RUN (with the reason); a new or changed line
fails `test_every_documented_docker_run_is_run_or_says_why` until it is sorted, so a doc cannot show a command no test
ran. The runs themselves train the bundled examples in containers (five trainings, one of them PyTorch's at its
default size, about 5 min here), too heavy for every CI run: `make test-all`.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^\s*```(\w*)\s*$")
COMMENT = re.compile(r"\s{2,}#\s.*$")  # a trailing comment, as the docs write them: two spaces, then `# `


def documented() -> list[tuple[str, str]]:
    """(page, command) of every `docker run` line in a sh/shell/bash block, continuation lines joined, the trailing
    comment left out."""
    found = []
    for doc in DOCS:
        shell, pending = False, ""
        for line in doc.read_text(encoding="utf-8").splitlines():
            fence = FENCE.match(line)
            if fence:
                shell = not shell and fence[1] in ("sh", "shell", "bash")
                continue
            if not shell:
                continue
            text = pending + COMMENT.sub("", line).strip()
            if text.endswith("\\"):
                pending = text[:-1].rstrip() + " "
                continue
            pending = ""
            if text.startswith("docker run "):
                found.append((doc.relative_to(ROOT).as_posix(), text))
    return found


@dataclass(frozen=True)
class Run:
    """How a documented line is run: `substitute` replaces words the docs leave to the reader (IMAGE) or that need a
    registry; `check` gets the finished process and the workspace folder."""

    why: str
    substitute: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # written into the workspace first


X_PY = "import os\nprint('x.py ran, PYTHONHASHSEED', os.environ['PYTHONHASHSEED'])\n"
# `mlfcore/pytorch` without a tag is `latest`, the cuda build (images.toml default_variant), which this machine does
# not build (5.5 GB); docs/images.md records that it trains the example to the cpu build's fingerprint.
PYTORCH = {"mlfcore/pytorch ": "{pytorch} "}
RUN = {
    "docker run --rm IMAGE bash -c 'echo ok'": Run("any program", {"IMAGE": "{base}"}),
    'docker run --rm -v "$PWD":/workspace IMAGE python x.py': Run(
        "a Python script under the contract", {"IMAGE": "{base}"}, {"x.py": X_PY}),
    'docker run --rm -v "$PWD":/workspace IMAGE train': Run(
        "mlf's train: the image's bundled example (XGBoost's, the quickest)", {"IMAGE": "{xgboost}"}),
    'docker run --rm --user "$(id -u):$(id -g)" -v "$PWD":/workspace IMAGE train': Run(
        "train as the caller's uid", {"IMAGE": "{xgboost}"}),
    "docker run --rm -e MLF_IMAGE_REF=my/trainer:1 -e MLF_IMAGE_DIGEST=\"$(docker image inspect --format "
    "'{{.Id}}' my/trainer:1)\" -v \"$PWD\":/workspace my/trainer:1 train": Run(
        "a derived image's name and digest passed in (my/trainer:1 is tagged from the xgboost cpu image first)"),
    "docker run --rm ghcr.io/mlfcore/pytorch:cpu train": Run(
        "the published cpu build, as built here (no registry is reachable)",
        {"ghcr.io/mlfcore/pytorch:cpu": "{pytorch}"}),
    'docker run --rm -v "$PWD":/workspace mlfcore/pytorch train': Run("the quickstart's train", PYTORCH),
    'docker run --rm -v "$PWD":/workspace mlfcore/pytorch verify': Run("the quickstart's verify", PYTORCH),
    'docker run --rm -v "$PWD":/workspace mlfcore/pytorch reproduce RUN': Run(
        "the quickstart's reproduce of the run train recorded", {**PYTORCH, "RUN": "{run}"}),
    'docker run --rm -p 127.0.0.1:6006:6006 -v "$PWD":/workspace mlfcore/pytorch tensorboard RUN_ID --host 0.0.0.0':
        Run("TensorBoard on the run train recorded, read over the published port", {**PYTORCH, "RUN_ID": "{run}"}),
}
NOT_RUN = {
    "docker run --rm --gpus all ghcr.io/mlfcore/pytorch train":
        "--gpus needs NVIDIA's container toolkit and a GPU; `make gpu-proof` runs the GPU path on a lent GPU",
    "docker run --rm -e MLFLOW_TRACKING_URI -e MLFLOW_TRACKING_USERNAME -e MLFLOW_TRACKING_PASSWORD -v "
    '"$PWD":/workspace mlfcore/pytorch train':
        "needs a lab's tracking server: tests/images/test_tracking_server_image.py trains in a container against one",
    'docker run --rm -v "$PWD":/workspace ghcr.io/acme/demo train -P epochs=3':
        "a rendered project's own image: tests/scaffold/project/test_mlflow_run.py builds and trains one",
}


def test_every_documented_docker_run_is_run_or_says_why():
    lines = {command for _, command in documented()}
    unsorted = sorted(lines - RUN.keys() - NOT_RUN.keys())
    assert not unsorted, "docker run lines in the docs that no test runs and no reason excuses (add them to RUN or " \
                         "NOT_RUN):\n" + "\n".join(unsorted)
    stale = sorted((RUN.keys() | NOT_RUN.keys()) - lines)
    assert not stale, "entries for docker run lines the docs no longer show:\n" + "\n".join(stale)


def _shell(command: str, workspace: Path, run: Run, refs: dict[str, str], recorded: str = "") -> str:
    """The documented line with its substitutions: {base}, {xgboost}, {pytorch} are the refs built here (the
    namespace MLF_IMAGE_NAMESPACE says), {run} the run the quickstart's train recorded."""
    for word, replacement in run.substitute.items():
        command = command.replace(word, replacement.format(run=recorded, **refs))
    for name, text in run.files.items():
        (workspace / name).write_text(text)
    return command


def _sh(command: str, workspace: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    # The folder a user mounts is theirs; the container's user (uid 1000) must write the store and outputs there.
    workspace.chmod(0o777)
    return subprocess.run(["bash", "-c", command], cwd=workspace, env=_env(workspace), capture_output=True,
                          text=True, timeout=timeout)


def _env(workspace: Path) -> dict:
    import os

    return {**os.environ, "PWD": str(workspace)}


def _run_id(stderr: str) -> str:
    found = re.findall(r"^run\s+([0-9a-f]{32})\b", stderr, re.MULTILINE)  # train's summary row
    assert found, stderr[-3000:]
    return found[-1]


@pytest.fixture(scope="module")
def images(build_image):
    refs = {name: build_image(name, "cpu") for name in ("base", "xgboost", "pytorch")}
    subprocess.run(["docker", "tag", refs["xgboost"], "my/trainer:1"], check=True)
    yield refs
    subprocess.run(["docker", "rmi", "my/trainer:1"], capture_output=True)


def _command(text: str) -> str:
    [found] = [command for _, command in documented() if command.startswith(text)]
    return found


@pytest.mark.heavy  # five trainings in containers (PyTorch's at its default size): about 5 min here
@pytest.mark.parametrize("command", [c for c in RUN if " mlfcore/pytorch " not in c])
def test_a_documented_docker_run_works_as_written(images, tmp_path, command):
    run = RUN[command]
    result = _sh(_shell(command, tmp_path, run, images), tmp_path)
    assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
    if "echo ok" in command:
        assert result.stdout == "ok\n"
    elif "x.py" in command:
        assert result.stdout.startswith("x.py ran, PYTHONHASHSEED "), result.stdout
    else:
        assert "fingerprint" in result.stderr.lower(), result.stderr[-3000:]


@pytest.mark.heavy  # the quickstart: the PyTorch example trained three times, then TensorBoard on its run
def test_the_quickstart_lines_work_in_order(images, tmp_path):
    def line(text):
        command = _command(text)
        return _shell(command, tmp_path, RUN[command], images, recorded)

    recorded = ""
    trained = _sh(line('docker run --rm -v "$PWD":/workspace mlfcore/pytorch train'), tmp_path)
    assert trained.returncode == 0, trained.stderr[-3000:]
    recorded = _run_id(trained.stderr)
    verified = _sh(line('docker run --rm -v "$PWD":/workspace mlfcore/pytorch verify'), tmp_path)
    assert verified.returncode == 0 and "bitwise identical" in verified.stderr, verified.stderr[-3000:]
    reproduced = _sh(line('docker run --rm -v "$PWD":/workspace mlfcore/pytorch reproduce'), tmp_path)
    assert reproduced.returncode == 0, reproduced.stderr[-3000:]
    # TensorBoard in the foreground, as documented; the docker client passes SIGTERM on to the container (--rm
    # removes it). The deadline bounds a broken server; it is not a timing the test measures.
    tmp_path.chmod(0o777)
    server = subprocess.Popen(["bash", "-c", "exec " + line("docker run --rm -p 127.0.0.1:6006:6006")],
                              cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 300
        runs = []
        while not runs:
            assert server.poll() is None, server.stderr.read()[-3000:]
            assert time.monotonic() < deadline, "TensorBoard did not answer on 127.0.0.1:6006"
            try:
                runs = json.load(opener.open("http://127.0.0.1:6006/data/runs", timeout=10))
            except OSError:
                time.sleep(0.5)
        assert any(name.startswith(recorded[:8]) for name in runs), runs
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=120)
