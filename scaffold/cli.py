"""`mlf-scaffold`: host-side commands; each command's module holds its options, this one only wires them."""

from __future__ import annotations

import os
import sys
import traceback

import typer

from mlfcore.entrypoint import console, variables
from mlfcore.entrypoint.errors import EXIT_INTERNAL, MlfError

from . import commands_publish
from .new import bump, listing, new, upgrade

app = typer.Typer(name="mlf-scaffold", help="Render and publish mlfcore projects.", add_completion=False,
                  no_args_is_help=True, pretty_exceptions_enable=False)
new.register(app)
listing.register(app)
bump.register(app)
upgrade.register(app)
app.command()(commands_publish.publish)


@app.command()
def version() -> None:
    """Print the mlfcore version."""
    from mlfcore.entrypoint import __version__

    typer.echo(__version__)


def run(argv: list[str] | None = None) -> int:
    """Expected failures become their exit code and one message; anything else is a bug, shown once."""
    try:
        result = app(args=argv, prog_name="mlf-scaffold", standalone_mode=False)
    except MlfError as failure:
        console.error(failure.message, failure.hint)
        return failure.exit_code
    except typer.Abort:
        return 130
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as failure:  # click's usage errors print themselves
        failure.show()
        return failure.exit_code
    except Exception as failure:  # the one broad handler, at the top
        console.error(f"internal error: {type(failure).__name__}: {failure}",
                      "set MLF_DEBUG=1 for the traceback and report it")
        if os.environ.get(variables.MLF_DEBUG) == "1":
            traceback.print_exc()
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
