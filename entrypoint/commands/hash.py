"""`mlf hash [PATHS...]`: the data hashes `mlf train` records — per-file SHA-256 and the tree hash.

Exit code: 0 hashed; 2 bad usage (a path that names no file, no paths and no `[tool.mlf] data`).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .. import config, console
from ..errors import UsageError
from ..train import datahash, dataroots, tracking
from ..train import project as project_module
from .options import Project


class Format(str, Enum):
    text = "text"
    json = "json"


@console.data_command
def hash_command(
    paths: Annotated[Optional[List[str]], typer.Argument(help="Files, folders or glob patterns inside the project, "
                                                              "as `\\[tool.mlf] data` names them \\[default: the "
                                                              "project's `\\[tool.mlf] data`].",
                                                         show_default=False)] = None,
    output_format: Annotated[Format, typer.Option("--format", "-f", help="text (sha256sum's lines, then the tree "
                                                                         "hash) or json.")] = Format.text,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Read every file, neither using nor updating the "
                                                              "cache of unchanged files' hashes.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Threads \\[default: the cores].",
                                                show_default=False)] = None,
    project: Project = Path("."),
) -> int:
    """Print the SHA-256 of each data file and the tree hash over them: the values `mlf train` records.

    Exit code: 0 hashed; 2 bad usage.
    """
    declared = list(paths or project_module._strings(config.load(project), "data"))
    if not declared:
        raise UsageError(f"nothing to hash: no PATHS given and no [tool.mlf] data in {project}",
                         hint="name the files or folders, or declare them in [tool.mlf] data")
    folder = None if no_cache else datahash.cache_folder(tracking.resolve(project))
    hashes = datahash.hash_data(project, declared, cache_folder=folder, jobs=jobs,
                                roots=dataroots.resolve(config.load(project)),
                                origin=datahash.GIVEN if paths else datahash.DECLARED)
    if output_format is Format.json:
        console.out(json.dumps(hashes.to_dict(), indent=2))
    else:
        lines = [f"{digest}  {name}" for name, digest in hashes.files.items()]
        lines.append(f"{hashes.tree}  (tree, {datahash.ALGORITHM}, {len(hashes.files)} files, "
                     f"{hashes.total_bytes} bytes)")
        console.out("\n".join(lines))
    return 0


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_command)
