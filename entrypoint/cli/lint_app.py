"""`mlf lint` without the other commands: the same Typer group (name, help, `--version`) with only the lint command
registered, for the console script's fast path (cli/fastpath.py). `mlf --help` and every other command go through
cli/app.py, which registers them all."""

from __future__ import annotations

import sys

import typer

from .. import console
from ..commands import lint as lint_command
from .exits import invoke

app = typer.Typer(
    name="mlf",
    help="Deterministic machine learning: run, lint, record and verify under the determinism contract.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.out(f"mlf {version('mlfcore')}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                          help="Print mlf's version and exit.")) -> None:
    """Deterministic machine learning: run, lint, record and verify under the determinism contract."""


lint_command.register(app)


def run() -> None:
    sys.exit(invoke(app, sys.argv[1:], "mlf"))
