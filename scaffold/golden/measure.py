"""Train one golden entry, as a user would, and return its fingerprint and the run's sysinfo record.

- venv: `mlf train` of an empty folder with MLF_IMAGE_EXAMPLE naming the example (the image's own way of picking
  it), in this Python's environment, from a clean environment (no contract or MLflow variable of the caller);
- image: `docker run --rm -v WS:/workspace IMAGE train` with our locally built image (mlfcore.scaffold.identity
  names it; `make images` builds it);
- scaffold/<framework>: the project `mlf-scaffold new` renders, trained in the folder (venv) or mounted where the
  project's own image copies it (/workspace of the framework image it starts FROM);
- modes: resume-at=K is `mlf verify --resume-at K` (the resumed run's fingerprint, which verify has compared with an
  uninterrupted one), nproc=N `train --nproc N`, no-portable `train --no-portable`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mlfcore.entrypoint import contract, variables
from mlfcore.entrypoint.train import expect

from .table import NOT_PORTABLE, Entry

WORKSPACE = "/workspace"  # the images' WORKDIR
SCAFFOLD = "scaffold/"
TIMEOUT = 1800  # seconds for one training; the slowest entry took 171 s on 2 busy cores (the scaffold's PyTorch project)


class MeasureError(RuntimeError):
    """The training did not give a fingerprint; the message carries the end of its output."""


@dataclass(frozen=True)
class Measured:
    fingerprint: str  # the written form, v<algorithm>:<hex>
    record: dict      # the run's sysinfo record (mlf/sysinfo.json)
    seconds: float


def arguments(entry: Entry) -> list[str]:
    """mlf's arguments after the project folder: the command, the parameters and the mode's options."""
    command = ["verify"] if entry.mode.startswith("resume-at=") else ["train"]
    options = ["--json"] + [part for name, value in sorted(entry.params.items()) for part in ("-P", f"{name}={value}")]
    if entry.mode.startswith("resume-at="):
        options += ["--resume-at", entry.mode.partition("=")[2]]
    elif entry.mode.startswith("nproc="):
        options += ["--nproc", entry.mode.partition("=")[2]]
    elif entry.mode == NOT_PORTABLE:
        options.append("--no-portable")
    return command + options


def _clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the contract's, mlf's or MLflow's variables: the run decides them."""
    names = set(contract.NAMES) | {getattr(variables, n) for n in dir(variables) if n.startswith("MLF_")}
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("MLFLOW_")}
    bin_dir = str(Path(sys.executable).parent)  # rendered MLprojects say `python`: this environment's
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1", **extra)
    return env


def _render_project(entry: Entry, folder: Path) -> Path:
    from mlfcore.scaffold import identity
    from mlfcore.scaffold.project import answers, render

    framework = entry.example.removeprefix(SCAFFOLD)
    variant = entry.variant or "cpu"
    chosen = answers.Answers(name=f"golden-{framework}", framework=framework, variant=variant, owner="mlfcore",
                             registry="ghcr.io", license="MIT", description="The scaffold's template, measured.",
                             from_image=identity.tags(framework, variant)[0])
    return render.write(render.render(chosen), folder)


def _run_id(stdout: str) -> str:
    summary = json.loads(stdout)
    return (summary["runs"][-1] if "runs" in summary else summary)["run_id"]  # verify --resume-at: the resumed run


def read_run(workspace: Path, run_id: str, seconds: float = 0.0) -> Measured:
    """The fingerprint (with its algorithm version) and the sysinfo record of a run `mlf train` recorded in the
    project `workspace` with the default store (mlflow.db and mlruns/ in the project)."""
    (artifacts,) = workspace.glob(f"mlruns/*/{run_id}/artifacts/mlf")
    recorded = json.loads((artifacts / "fingerprint.json").read_text(encoding="utf-8"))
    record = json.loads((artifacts / "sysinfo.json").read_text(encoding="utf-8"))
    return Measured(expect.written(recorded["fingerprint"], int(recorded.get("algorithm", 1))), record, seconds)


def _in_venv(entry: Entry, workspace: Path) -> tuple[int, str, str]:
    import subprocess

    extra = {} if entry.example.startswith(SCAFFOLD) else {variables.MLF_IMAGE_EXAMPLE: entry.example}
    result = subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", arguments(entry)[0], str(workspace),
                             *arguments(entry)[1:]], env=_clean_environment(**extra), capture_output=True, text=True,
                            timeout=TIMEOUT)
    return result.returncode, result.stdout, result.stderr


def _in_image(entry: Entry, workspace: Path, engine) -> tuple[int, str, str]:
    from mlfcore.scaffold import identity

    for path in [workspace, *workspace.rglob("*")]:  # the image's user (uid 1000) writes the store and outputs
        os.chmod(path, 0o777 if path.is_dir() else 0o666)
    container = engine.containers.run(identity.tags(entry.image, entry.variant)[0], arguments(entry), detach=True,
                                      volumes={str(workspace): {"bind": WORKSPACE, "mode": "rw"}})
    try:
        status = container.wait(timeout=TIMEOUT)
        return (status["StatusCode"], container.logs(stdout=True, stderr=False).decode(),
                container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


def measure(entry: Entry, engine=None) -> Measured:
    """Train `entry` once in a fresh folder; `engine` is a docker SDK client (image entries only)."""
    # Files the container's user wrote may not be removable by a runner's other uid: not a failed measurement.
    with tempfile.TemporaryDirectory(prefix="mlf-golden-", ignore_cleanup_errors=True) as scratch:
        workspace = Path(scratch) / "workspace"
        workspace.mkdir()
        if entry.example.startswith(SCAFFOLD):
            _render_project(entry, workspace)
        started = time.monotonic()
        if entry.runtime == "venv":
            code, stdout, stderr = _in_venv(entry, workspace)
        else:
            code, stdout, stderr = _in_image(entry, workspace, engine)
        seconds = time.monotonic() - started
        if code != 0:
            raise MeasureError(f"{entry.id}: mlf {' '.join(arguments(entry))} exited {code}:\n{stderr[-3000:]}")
        return read_run(workspace, _run_id(stdout), seconds)
