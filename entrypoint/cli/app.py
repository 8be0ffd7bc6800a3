"""The Typer app of `mlf`: wires the commands together. Each command lives in its own module under
entrypoint/commands/ (as hatch does); this module only registers them."""

from __future__ import annotations

import os
import sys

import typer

from .. import console, variables
from ..commands import bench as bench_command
from ..commands import env as env_command
from ..commands import hash as hash_command
from ..commands import lint as lint_command
from ..commands import mlflow_entry as mlflow_entry_command
from ..commands import report as report_command
from ..commands import reproduce as reproduce_command
from ..commands import run as run_command
from ..commands import sync as sync_command
from ..commands import sysinfo as sysinfo_command
from ..commands import tensorboard as tensorboard_command
from ..commands import train as train_command
from ..commands import verify as verify_command
from .exits import invoke

app = typer.Typer(
    name="mlf",
    help="Deterministic machine learning: run, lint, record and verify under the determinism contract.",
    no_args_is_help=True,
    add_completion=True,  # typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell)
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


run_command.register(app)
env_command.register(app)
lint_command.register(app)
sysinfo_command.register(app)
train_command.register(app)
verify_command.register(app)
reproduce_command.register(app)
report_command.register(app)
tensorboard_command.register(app)
bench_command.register(app)
hash_command.register(app)
mlflow_entry_command.register(app)
sync_command.register(app)
_COMMANDS = frozenset(command.name for command in app.registered_commands)


def _unknown_option(failure: Exception, argv: list[str]) -> str | None:
    """`mlf train --epochs 3`: an option the command lacks is most likely an entry point parameter, which -P gives;
    click would offer the nearest option names instead (--nproc). None leaves click's message."""
    name, context = getattr(failure, "option_name", None), getattr(failure, "ctx", None)
    if not isinstance(name, str) or not name.startswith("--") or context is None:
        return None
    value = "VALUE"
    for index, word in enumerate(argv):
        if word.startswith(f"{name}="):
            value = word.partition("=")[2]
        elif word == name and index + 1 < len(argv) and not argv[index + 1].startswith("-"):
            value = argv[index + 1]
    key = name[2:]
    if any("-P" in getattr(param, "opts", ()) for param in context.command.params):
        import difflib

        options = [option for param in context.command.params for option in getattr(param, "opts", ())]
        typo = difflib.get_close_matches(name, options, n=1, cutoff=0.8)  # --nprc: still offer --nproc
        return (f"No such option: {name}. " + (f"Did you mean {typo[0]}? " if typo else "")
                + f"An entry point parameter is given with -P: -P {key}={value}")
    if context.command.name == "reproduce":  # it replays the recorded run's parameters, and takes none
        return (f"No such option: {name}. mlf reproduce replays the recorded run's parameters; to train with "
                f"other values: mlf train -P {key}={value}")
    return None


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point. Expected failures become their exit code; anything else is a bug, shown once."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] not in _COMMANDS and os.environ.get(variables.MLF_DISPATCH) == "1":
        from .dispatch import dispatch, wanted  # in the images only: `docker run IMAGE bash|python ...`

        argv = dispatch(argv) if wanted(argv, _COMMANDS, os.environ) else argv
    return invoke(app, argv, "mlf", explain=_unknown_option)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
