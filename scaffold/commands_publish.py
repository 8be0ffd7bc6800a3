"""`mlf-scaffold publish`: the command's options and output; the work is mlfcore.scaffold.publish."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import MlfError
from mlfcore.scaffold import registry_client


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def publish(
    project_dir: Path = typer.Argument(Path("."), help="the project folder (pyproject.toml and Dockerfile)"),
    registry: Optional[str] = typer.Option(None, help="e.g. ghcr.io/<owner>; default \\[tool.mlf.publish] registry"),
    username: Optional[str] = typer.Option(None, help="the registry user (default $GITHUB_ACTOR)"),
    tag: Optional[list[str]] = typer.Option(None, help="a tag to push (repeatable); default the project version"),
    no_push: bool = typer.Option(False, "--no-push", help="build and tag only"),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="read the token from standard input (else GHCR_TOKEN or GITHUB_TOKEN)"),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text: <name>@sha256:<digest>; json"),
) -> None:
    """Build the project's image reproducibly and push it; prints <name>@sha256:<digest> and pins deploy/k8s/*.yaml
    to it. The image id a rebuild of the commit gives is said on stderr (and in --format json). The token is never
    an argument."""
    from mlfcore.scaffold import publish as publishing

    try:
        secret = None if no_push else registry_client.credentials(username, sys.stdin.read() if password_stdin else None)
        result = publishing.publish(project_dir, registry=registry, tags=tag, no_push=no_push, secret=secret)
    except MlfError as error:
        console.error(error.message, error.hint)
        raise typer.Exit(error.exit_code) from None
    for path in result.updated:
        console.info(f"pinned {console.escape(path)} to {result.digest}")
    if result.dirty:
        console.warn(f"image {result.image_id} was built from uncommitted changes: it is labelled dirty, and no "
                     "rebuild from the commit gives it")
    else:
        console.info(f"image {result.image_id}: the id a rebuild of this commit gives (`mlf-scaffold rebuild-check "
                     f"{console.escape(result.reference)}`)")
    console.out(json.dumps(result.as_dict()) if output is OutputFormat.json else result.reference)
