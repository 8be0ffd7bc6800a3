"""`mlf-scaffold`: host-side commands; each command's module holds its options, this one only wires them."""

from __future__ import annotations

import sys

import typer

from mlfcore.scaffold import commands_publish

app = typer.Typer(name="mlf-scaffold", help="Render and publish mlfcore projects.", add_completion=False,
                  no_args_is_help=True, pretty_exceptions_enable=False)


@app.command()
def version() -> None:
    """Print the mlfcore version."""
    from mlfcore.entrypoint import __version__

    typer.echo(__version__)


app.command()(commands_publish.publish)


@app.callback()
def _group() -> None:
    """Keeps `version` a sub-command while it is the only one."""


def main() -> None:
    sys.exit(app())


if __name__ == "__main__":
    main()
