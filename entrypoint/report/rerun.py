"""The exact commands that re-do a run: `mlf reproduce` in the image it ran in (pinned by digest where the host
passed one), and a fresh `train` with its recorded settings. The `docker run` line of a fresh training is the one
`mlf reproduce` itself prints (commands/reproduce.py owns it)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..train import provenance
from .model import Run


@dataclass(frozen=True)
class Command:
    what: str
    line: str

    def to_dict(self) -> dict:
        return {"what": self.what, "line": self.line}


def entry_params(run: Run) -> dict[str, str]:
    """The entry point's parameters: mlf/params.json, else the `mlf.param.*` params (train/tracking.py)."""
    from ..train import tracking

    recorded = (run.records.get("params") or {}).get("parameters")
    if isinstance(recorded, dict):
        return {str(k): str(v) for k, v in recorded.items()}
    prefix = tracking.ENTRY_PARAM_PREFIX
    return {k[len(prefix):]: v for k, v in run.params.items() if k.startswith(prefix)}


def _remote(store: str) -> bool:
    """A tracking server must be named; a local store is the project's own mlflow.db (train/tracking.py)."""
    return store.startswith(("http://", "https://"))


def _docker(run: Run, image: str, store: str) -> str:
    line = ["docker", "run", "--rm"]
    if provenance.had_gpus(run.tags):
        line += ["--gpus", "all"]
    line += ["-e", f"MLFLOW_TRACKING_URI={store}"] if _remote(store) else []
    line += ["-v", "$PWD:/workspace", image, "reproduce", run.run_id]
    return " ".join(part if part.startswith("$PWD") else shlex.quote(part) for part in line).replace(
        "-v $PWD:/workspace", '-v "$PWD":/workspace')


def commands(run: Run, store: str, version: str) -> list[Command]:
    """What a reader types to re-do `run`, most exact first."""
    from ..train.provenance import docker_line, rerun_image

    found = []
    image = rerun_image(run.tags)
    prefix = f"MLFLOW_TRACKING_URI={shlex.quote(store)} " if _remote(store) else ""
    if image:
        pinned = "" if "@sha256:" in image else (" (its digest was not recorded: pass -e MLF_IMAGE_DIGEST=sha256:... "
                                                 "to `docker run` when training, and the image is pinned)")
        found.append(Command(f"re-run it in the image it ran in{pinned}, in the project folder that holds its "
                             "store, and compare the fingerprints", _docker(run, image, store)))
    found.append(Command(f"outside a container, with mlfcore {version} and the recorded packages installed",
                         f"{prefix}mlf reproduce {run.run_id} --project ."))
    if "mlf.seed" in run.params and "mlf.threads" in run.params:
        fresh = docker_line(run.tags, entry_params(run), run.params)
        if fresh:
            found.append(Command("train afresh with the recorded parameters, seed and contract (a new store)", fresh))
    return found
