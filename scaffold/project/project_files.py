"""Reading and rewriting an existing rendered project: its metadata and an all-checks-first file update."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.files import atomic_write

SCAFFOLD_TABLE = "mlfcore-scaffold"  # [tool.mlfcore-scaffold] in the project's pyproject.toml


def pyproject(project: Path) -> dict:
    path = project / "pyproject.toml"
    if not path.is_file():
        raise UsageError(f"{path} is missing: {project} is not a project", hint="pass the project's directory")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{path}: not valid TOML: {err}", hint="fix the file, then run again") from err


def scaffold_table(project: Path) -> dict:
    table = pyproject(project).get("tool", {}).get(SCAFFOLD_TABLE)
    if not isinstance(table, dict):
        raise UsageError(f"{project / 'pyproject.toml'} has no [tool.{SCAFFOLD_TABLE}] table: it was not rendered "
                         "by mlf-scaffold new", hint="render a project with `mlf-scaffold new NAME`")
    return table


def replace_all(project: Path, contents: dict[str, str]) -> None:
    """Write every file (relative path → text); each is written beside itself and renamed over the old one, so a
    file is either old or new, never half-written."""
    for relative, text in contents.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text, keep_mode=True)
