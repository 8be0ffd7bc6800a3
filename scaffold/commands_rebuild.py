"""`mlf-scaffold rebuild-check`: the command's options and output; the work is mlfcore.scaffold.rebuild_check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import MlfError
from mlfcore.scaffold.commands_publish import OutputFormat


def rebuild_check(
    image: str = typer.Argument(..., help="IMAGE or IMAGE@sha256:DIGEST: one of our images or a project's"),
    project: Optional[Path] = typer.Option(None, "--project", help="a project image's git repository (default .)"),
    wheelhouse: str = typer.Option("", help="a folder of wheels the rebuild may install from (our pytorch cpu)"),
    ca_bundle: str = typer.Option("", "--ca-bundle", help="a proxy's CA bundle for the rebuild's pip"),
    snapshot: bool = typer.Option(False, "--snapshot", help="take the Debian packages from Debian's snapshot "
                                                            "archive at the time the image's label names"),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
) -> None:
    """Rebuild IMAGE from its commit and the build inputs its labels carry, without any cache, and compare: prints
    `identical <id>`, or `differs` and the first differing paths. Exit 0 identical, 1 differs or not reproducible
    (built from uncommitted changes), 2 bad input."""
    from mlfcore.scaffold import rebuild_check as checking

    try:
        outcome = checking.check(image, project=project, wheelhouse=wheelhouse, ca_bundle=ca_bundle,
                                 snapshot=snapshot)
    except MlfError as error:
        console.error(error.message, error.hint)
        raise typer.Exit(error.exit_code) from None
    if output is OutputFormat.json:
        console.out(json.dumps(outcome.as_dict()))
    elif outcome.identical:
        console.out(f"identical {outcome.rebuilt}")
    else:
        shown = outcome.differences[:checking.SHOWN]
        more = len(outcome.differences) - len(shown)
        console.out("\n".join([f"differs: {outcome.original} rebuilt as {outcome.rebuilt}", *shown]
                              + ([f"... and {more} more"] if more > 0 else [])))
    if not outcome.identical:
        raise typer.Exit(1)
