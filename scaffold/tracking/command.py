"""`mlf-scaffold tracking-server [NAME]`: render a lab's MLflow tracking server, ready for `docker compose up -d`.

The folder holds compose.yaml (PostgreSQL 15 and the server), server/ (the server image's build context: FROM
mlfcore's base image, MLflow with its basic-auth app from a hash-locked requirements file, the `lab` command),
initdb/ (the users' database), backup.sh, README.md (setup, users, backups, upgrades, the same without compose),
and .env with freshly generated secrets, readable by its owner only.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Optional

import typer

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import UsageError

from ..project import base_image, names, render
from .lock import MLFLOW_VERSION

TEMPLATES = "tracking-server/"
DEFAULT_NAME = "mlflow-lab"
# PostgreSQL 15, the major version the tests run (Debian bookworm's postgresql-15); the official image's bookworm
# build. A major upgrade needs pg_upgrade or a dump and restore (README.md).
POSTGRES_IMAGE = "postgres:15-bookworm"


def context(name: str, port: int, from_image: str) -> dict:
    return {"name": name, "port": port, "base_image": from_image, "mlflow_version": MLFLOW_VERSION,
            "image": f"{name}/mlflow-server:{MLFLOW_VERSION}", "postgres_image": POSTGRES_IMAGE,
            "secrets": {"postgres": secrets.token_urlsafe(24), "admin": secrets.token_urlsafe(24),
                        "flask": secrets.token_hex(32)}}


def render_files(values: dict) -> dict[str, str]:
    """Every file of the deployment as text, by its path in the folder."""
    env = render.environment()
    files = {}
    for template in sorted(t for t in env.list_templates() if t.startswith(TEMPLATES)):
        files[render.output_path(template[len(TEMPLATES):], "")] = env.get_template(template).render(values)
    return files


def tracking_server(
    name: Annotated[str, typer.Argument(help="The deployment's name: its folder and its compose project.")]
    = DEFAULT_NAME,
    directory: Annotated[Optional[Path], typer.Option("--dir", help="Where to render \\[default: ./NAME].",
                                                      show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The host port the server listens on.")]
    = 5000,
    from_image: Annotated[Optional[str], typer.Option("--from-image", help="The image the server starts FROM "
                                                      "\\[default: our base image, exact tag and digest when "
                                                      "known].", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Render into an existing non-empty directory, replacing "
                                                        "the files rendered (and the secrets in .env).")] = False,
) -> int:
    """Render a lab's MLflow tracking server: PostgreSQL 15, MLflow's server with its basic-auth app and proxied
    artifacts, in an image FROM mlfcore's base; a compose file and the plain commands.

    Exit code: 0 rendered; 2 bad input (nothing is written).
    """
    names.validated(name)
    target = directory if directory is not None else Path(name)
    render.check_target(target, force)
    values = context(name, port, from_image or base_image.reference("base", "cpu"))
    if not values["base_image"].strip():
        raise UsageError("--from-image is empty", hint="give an image reference, e.g. mlfcore/base:cpu")
    written = render.write(render_files(values), target, force)
    os.chmod(written / ".env", 0o600)  # the secrets: the owner's only
    for script in ("server/lab", "backup.sh"):
        (written / script).chmod(0o755)
    console.info(f"rendered the tracking server {console.escape(name)} into {console.escape(written)}, FROM "
                 f"{console.escape(values['base_image'])}: see its README.md (docker compose up -d)")
    console.out(str(written))
    return 0


def register(app: typer.Typer) -> None:
    app.command("tracking-server")(tracking_server)
