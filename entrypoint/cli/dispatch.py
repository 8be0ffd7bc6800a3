"""`docker run IMAGE bash`, `docker run IMAGE python x.py`: the image's entrypoint is `mlf`, and a first word
that is not an mlf command runs as a program, the way images users know behave (docker-stacks' start.sh runs any
command it is given; NGC images start a shell).

Python runs under the determinism contract (`mlf run -- python x.py`); any other program is executed as it is,
replacing mlf (tini stays PID 1 and forwards signals to it). A command `mlflow run` started (MLFLOW_RUN_ID set, an
MLproject in the working folder) trains as `mlf train` does, in MLflow's run (train/mlflow_run.py). Only inside
our images (MLF_DISPATCH=1, baked by the base image): on a host, `mlf bash` stays a usage error.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import variables

# python, python3, python3.11, /opt/venv/bin/python3 ...
_PYTHON = re.compile(r"python(\d+(\.\d+)?)?")


def is_python(program: str) -> bool:
    return _PYTHON.fullmatch(os.path.basename(program)) is not None


def wanted(argv: list[str], commands: Iterable[str], environ: Mapping[str, str]) -> bool:
    """Whether `argv` (mlf's arguments) names a program rather than an mlf command."""
    return (environ.get(variables.MLF_DISPATCH) == "1" and bool(argv) and not argv[0].startswith("-")
            and argv[0] not in set(commands))


def started_by_mlflow_run(environ: Mapping[str, str], cwd: Path | None = None) -> bool:
    """Whether `mlflow run` started the command: it sets MLFLOW_RUN_ID (mlflow/projects/utils.py,
    `get_run_env_vars`), and the working folder is the project (an MLproject file)."""
    from ..train.project import MLPROJECT

    return bool(environ.get(variables.MLFLOW_RUN_ID)) and ((cwd or Path.cwd()) / MLPROJECT).is_file()


def dispatch(argv: list[str]) -> list[str]:
    """mlf's new arguments for an entry point `mlflow run` started (`mlflow-entry -- ...`: it trains as `mlf train`,
    train/mlflow_run.py) and for Python (`run -- python ...`); any other program found on PATH replaces this
    process. Returns `argv` unchanged when no such program exists, so mlf reports the unknown command."""
    from ..commands.mlflow_entry import NAME

    if started_by_mlflow_run(os.environ):
        return [NAME, "--", *argv]
    if is_python(argv[0]):
        return ["run", "--", *argv]
    if shutil.which(argv[0]) is not None:
        os.execvp(argv[0], argv)
    return argv
