"""Human output: one stderr console that honours NO_COLOR and never prompts in CI. Data goes to stdout."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, redirect_stdout
from functools import lru_cache, wraps

from . import variables


@lru_cache(maxsize=1)
def err():
    """The stderr console (rich, imported on first use: `mlf run` start-up pays nothing for it otherwise)."""
    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get(variables.NO_COLOR)), highlight=False,
                   soft_wrap=True)


def escape(text: object) -> str:
    """Text from outside (paths, values from the environment, code) made safe to embed in rich markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(str(text))


def info(message: str) -> None:
    """`message` is rich markup: escape() what comes from outside."""
    err().print(message)


def warn(message: str, *, markup: bool = False) -> None:
    """Plain text unless `markup`: a value such as OMP_NUM_THREADS='[/x]' must never be read as a closing tag."""
    err().print(f"[bold yellow]warning:[/] {message if markup else escape(message)}")


def error(message: str, hint: str | None = None) -> None:
    """Error messages quote paths, code and `[tool.mlf]`: escaped, so rich markup never eats their brackets."""
    err().print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        err().print(f"  [dim]hint:[/] {escape(hint)}")


_DATA: list = []  # the real stdout while data_stdout() holds it; sys.stdout then points to stderr


def out(text: str) -> None:
    """Data for programs: plain text on stdout."""
    stream = _DATA[-1] if _DATA else sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


@contextmanager
def data_stdout():
    """For the block, stdout carries what out() writes and nothing else: anything else written to sys.stdout in
    this process goes to stderr. MLflow's client prints "View run ... at" lines to stdout when a run ends on a
    server (mlflow/tracking/_tracking_service/client.py, _log_url), and libraries print; `--format json` must
    still be JSON alone."""
    _DATA.append(sys.stdout)
    sys.stdout.flush()
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        _DATA.pop()


def data_command(function):
    """A command whose stdout is data alone (data_stdout around it)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with data_stdout():
            return function(*args, **kwargs)

    return wrapper
