"""This toolkit's images and pins, as the image table (mlfcore.scaffold.images.table) and image identity
(mlfcore.scaffold.identity) define them.

The table is data, not code (Cog keeps its compatibility matrix the same way): the framework version a project pins
is the one its `FROM` image carries, so the two cannot drift apart.
"""

from __future__ import annotations

from mlfcore.entrypoint.errors import ConfigError

from .. import identity
from ..images import table

ImageSpec = table.Image


def images() -> dict[str, ImageSpec]:
    return dict(table.IMAGES)


def image(name: str) -> ImageSpec:
    try:
        return table.image(name)
    except table.TableError:
        raise ConfigError(f"unknown framework {name!r}", hint=f"choose one of {', '.join(table.IMAGES)}") from None


def version() -> str:
    """This toolkit's version: the image tags start with it."""
    return identity.mlfcore_version()


def pins(name: str, variant: str) -> list[str]:
    """The requirements of the image and its ancestors (parents first), as a project pins them: without mlfcore's
    own dependencies (".", ".[extra]": a project gets them through mlfcore) and without a local version label (PyPI
    has no `+cpu`)."""
    found: list[str] = []
    for link in reversed(table.chain(image(name).name)):
        spec = image(link)
        own = variant if variant in spec.variants else spec.variants[0]
        found += [line.split("+")[0] for line in spec.requirements[own]
                  if not line.startswith(".") and line not in found]
    return found
