"""`mlf`: wires the commands together. Each command lives in its own module under commands/ (STYLE.md, hatch)."""

from __future__ import annotations

import os
import sys
import traceback

import typer

from . import console, variables
from .commands import env as env_command
from .commands import hash as hash_command
from .commands import lint as lint_command
from .commands import reproduce as reproduce_command
from .commands import run as run_command
from .commands import sysinfo as sysinfo_command
from .commands import train as train_command
from .commands import verify as verify_command
from .errors import EXIT_INTERNAL, MlfError

app = typer.Typer(
    name="mlf",
    help="Deterministic machine learning: run, lint, record and verify under the determinism contract.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
run_command.register(app)
env_command.register(app)
lint_command.register(app)
sysinfo_command.register(app)
train_command.register(app)
verify_command.register(app)
reproduce_command.register(app)
hash_command.register(app)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point. Expected failures become their exit code; anything else is a bug, shown once."""
    try:
        result = app(args=argv, prog_name="mlf", standalone_mode=False)
    except MlfError as failure:
        console.error(failure.message, failure.hint)
        return failure.exit_code
    except typer.Abort:
        return 130
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as failure:  # typer's (vendored click's) usage errors: they print themselves
        failure.show()
        return failure.exit_code
    except Exception as failure:  # the one broad handler, at the top (STYLE.md, hatch)
        return internal_error(failure)
    return result if isinstance(result, int) else 0


def internal_error(failure: Exception) -> int:
    """A bug in mlf: one line, the traceback only when asked for (launch.py's fast path reports through here)."""
    console.error(f"internal error: {type(failure).__name__}: {failure}",
                  "set MLF_DEBUG=1 for the traceback and report it")
    if os.environ.get(variables.MLF_DEBUG) == "1":
        traceback.print_exc()
    return EXIT_INTERNAL


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
