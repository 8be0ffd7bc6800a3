"""What differs between the frameworks a project can start from: one `framework.toml` beside each framework's
template overlay (templates/frameworks/<name>/framework.toml), read by the templates as `fw`.

The image, its pins and tags come from the image table (toolkit.py); the file holds only what the rendered code
needs: the training parameter the MLproject declares and what the docs say. The frameworks are listed in the image
table's order (those with a parent image first, then the base), so a new framework is a new folder and a new row.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..images import table

FOLDER = Path(__file__).resolve().parents[1] / "templates" / "frameworks"
FILE = "framework.toml"  # beside the overlay's templates, never rendered (render.plan skips it)


@dataclass(frozen=True)
class Framework:
    name: str          # the --framework value and the image's name in the image table
    summary: str       # one line for `mlf-scaffold list`
    parameter: str     # the training length parameter in MLproject
    default: int       # its default: small, so `mlf verify` (two trainings) stays quick
    model: str         # what model.py builds, for the docs
    default_framework: bool = False  # rendered when `--framework` is not given


def _load() -> dict[str, Framework]:
    order = [name for name, spec in table.IMAGES.items() if spec.parent] + \
            [name for name, spec in table.IMAGES.items() if not spec.parent]
    found = {}
    for name in order:
        path = FOLDER / name / FILE
        if path.is_file():
            found[name] = Framework(name=name, **tomllib.loads(path.read_text(encoding="utf-8")))
    return found


FRAMEWORKS: dict[str, Framework] = _load()
DEFAULT = next(name for name, framework in FRAMEWORKS.items() if framework.default_framework)


def names() -> tuple[str, ...]:
    return tuple(FRAMEWORKS)


def choices() -> str:
    """The frameworks for a help text: `a, b, c or d`."""
    return f"{', '.join(names()[:-1])} or {names()[-1]}"
