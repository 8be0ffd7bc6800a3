"""How both command lines (`mlf`, `mlf-scaffold`) end: expected failures become their exit code and one message;
anything else is a bug, shown once, with the traceback only when asked for (as hatch does)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable

import typer

from .. import console, variables
from ..errors import EXIT_INTERNAL, MlfError


def invoke(app: typer.Typer, argv: list[str] | None, prog_name: str,
           explain: Callable[[Exception, list[str]], str | None] | None = None) -> int:
    """Run the Typer `app` on `argv` and return the exit code every command promises (README.md, "Exit codes").
    `explain(usage_error, argv)` may replace a usage error's message with one that says what the user meant."""
    try:
        result = app(args=argv, prog_name=prog_name, standalone_mode=False)
    except MlfError as failure:
        console.error(failure.message, failure.hint)
        return failure.exit_code
    except typer.Abort:
        return 130
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as failure:  # typer's (vendored click's) usage errors: they print themselves
        better = explain(failure, list(argv if argv is not None else sys.argv[1:])) if explain else None
        if better:  # click's own text (its nearest option names) would point the wrong way
            failure.message, failure.possibilities = better, None
        failure.show()
        return failure.exit_code
    except Exception as failure:  # the one broad handler, at the top
        return internal_error(failure)
    return result if isinstance(result, int) else 0


def internal_error(failure: Exception) -> int:
    """A bug: one line, the traceback only with MLF_DEBUG=1 (launch.py's fast path reports through here too)."""
    console.error(f"internal error: {type(failure).__name__}: {failure}",
                  "set MLF_DEBUG=1 for the traceback and report it")
    if os.environ.get(variables.MLF_DEBUG) == "1":
        traceback.print_exc()
    return EXIT_INTERNAL
