"""`mlf-scaffold bump-version NEW [PROJECT_DIR]`: set the project's version everywhere it is written and open its
CHANGELOG section (Keep a Changelog: what was under Unreleased becomes the new version's)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Annotated

import typer

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import UsageError

from . import names, project_files

UNRELEASED = "## [Unreleased]\n"


def _version(text: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        raise UsageError(f"invalid version {text!r}", hint="a PEP 440 version such as 1.2.0 or 1.2.0rc1") from None


def _sub_once(pattern: str, replacement: str, text: str, where: Path) -> str:
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise UsageError(f"{where}: no version line to update", hint="restore the line `mlf-scaffold new` wrote")
    return new


def changes(project: Path, new: str, today: datetime.date) -> dict[str, str]:
    """The new text of every file that carries the version; raises UsageError before anything is written."""
    document = project_files.pyproject(project)
    current = document.get("project", {}).get("version", "")
    if _version(new) <= _version(current):
        raise UsageError(f"version {new} is not newer than the current {current}", hint="pass a higher version")
    package = names.package_name(document["project"]["name"])
    files = {
        "pyproject.toml": (r'^version = "[^"]*"$', f'version = "{new}"'),
        f"{package}/__init__.py": (r'^__version__ = "[^"]*"$', f'__version__ = "{new}"'),
    }
    result = {}
    for relative, (pattern, replacement) in files.items():
        path = project / relative
        if not path.is_file():
            raise UsageError(f"{path} is missing", hint="run bump-version in the project's directory")
        result[relative] = _sub_once(pattern, replacement, path.read_text(encoding="utf-8"), path)
    changelog = project / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
    if UNRELEASED not in text:
        raise UsageError(f"{changelog} has no '## [Unreleased]' section", hint="add one (Keep a Changelog format)")
    result["CHANGELOG.md"] = text.replace(UNRELEASED, f"{UNRELEASED}\n## [{new}] - {today.isoformat()}\n", 1)
    return result


def bump_version(
    new: Annotated[str, typer.Argument(help="The new version (PEP 440).")],
    project_dir: Annotated[Path, typer.Argument(help="The project \\[default: the current directory].",
                                                show_default=False)] = Path("."),
) -> int:
    """Set the project's version in pyproject.toml and the package, and add a CHANGELOG section for it.

    Exit code: 0 done; 2 bad version or a file without its version line (nothing is written).
    """
    updated = changes(project_dir, new, datetime.date.today())
    project_files.replace_all(project_dir, updated)
    for relative in updated:
        console.info(f"updated {console.escape(relative)}")
    return 0


def register(app: typer.Typer) -> None:
    app.command("bump-version")(bump_version)
