"""`mlf-scaffold`: host-side commands. `new` and `publish` are not built yet (no issue has been taken for them)."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(name="mlf-scaffold", help="Render and publish mlfcore projects.", add_completion=False,
                  no_args_is_help=True, pretty_exceptions_enable=False)


@app.command()
def version() -> None:
    """Print the mlfcore version."""
    from mlfcore.entrypoint import __version__

    typer.echo(__version__)


@app.callback()
def _group() -> None:
    """Keeps `version` a sub-command while it is the only one."""


def main() -> None:
    sys.exit(app())
