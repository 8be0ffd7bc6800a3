"""This toolkit's images and pins, read from the image table (images/images.toml) the images are built from.

The table is data, not code (Cog keeps its compatibility matrix the same way): the framework version a project pins
is the one its `FROM` image carries, so the two cannot drift apart.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlfcore.entrypoint.errors import ConfigError

# scaffold/new/toolkit.py -> the repository root, which holds images/images.toml and pyproject.toml.
ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "images" / "images.toml"


@dataclass(frozen=True)
class ImageSpec:
    name: str
    framework: str
    framework_version: str
    variants: tuple[str, ...]
    requirements: dict[str, list[str]]


def _read(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"{path} is missing: mlf-scaffold reads this toolkit's image table from a source checkout",
                          hint="run mlf-scaffold from an editable install of the mlfcore repository")
    with path.open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def table() -> dict:
    return _read(TABLE)


def images() -> dict[str, ImageSpec]:
    return {name: ImageSpec(name, spec["framework"], spec["framework_version"], tuple(spec["variants"]),
                            dict(spec["requirements"]))
            for name, spec in table()["images"].items()}


def image(name: str) -> ImageSpec:
    known = images()
    if name not in known:
        raise ConfigError(f"unknown framework {name!r}", hint=f"choose one of {', '.join(known)}")
    return known[name]


@lru_cache(maxsize=1)
def version() -> str:
    """This toolkit's version (pyproject.toml): the image tags start with it."""
    return _read(ROOT / "pyproject.toml")["project"]["version"]


def pins(name: str, variant: str) -> list[str]:
    """The image's requirements as a project pins them: without a local version label (PyPI has no `+cpu`)."""
    spec = image(name)
    if variant not in spec.variants:
        variant = spec.variants[0]
    return [line.split("+")[0] for line in spec.requirements[variant] if line != "."]
