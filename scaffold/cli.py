"""`mlf-scaffold`: host-side commands; each command's module holds its options, this one only wires them."""

from __future__ import annotations

import sys

import typer

from mlfcore.entrypoint.cli.exits import invoke

from . import commands_publish, commands_rebuild
from .project import bump, listing, new, upgrade
from .tracking import command as tracking_command

app = typer.Typer(name="mlf-scaffold", help="Render and publish mlfcore projects.", add_completion=False,
                  no_args_is_help=True, pretty_exceptions_enable=False)
new.register(app)
listing.register(app)
bump.register(app)
upgrade.register(app)
tracking_command.register(app)


def _print_version(value: bool) -> None:
    if value:
        from mlfcore.entrypoint import __version__

        typer.echo(f"mlf-scaffold {__version__}")  # as `mlf --version` says it
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                          help="Print mlf-scaffold's version and exit.")) -> None:
    """Render and publish mlfcore projects."""


app.command()(commands_publish.publish)
app.command("rebuild-check")(commands_rebuild.rebuild_check)


@app.command()
def version() -> None:
    """Print the mlfcore version."""
    from mlfcore.entrypoint import __version__

    typer.echo(__version__)


def run(argv: list[str] | None = None) -> int:
    """The exit code of `mlf-scaffold ARGV`: mlf's own rules (mlfcore.entrypoint.cli.exits)."""
    return invoke(app, argv, "mlf-scaffold")


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
