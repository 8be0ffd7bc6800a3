"""Read images/images.toml, THE table of images, for the Makefile, the build and lock scripts and the image tests.

`python3 images/table.py QUERY [IMAGE [VARIANT]]` prints one answer per line (the Makefile and the workflow use it):
  names                   every image, parents first
  variants IMAGE          the image's variants
  matrix                  a JSON list of {"image", "variant"} for the framework images (the workflow's matrix)
  tags IMAGE VARIANT      every tag of IMAGE:VARIANT, the full one first
  parent-tag IMAGE VARIANT the full tag of its parent image (empty for the base)
  chain IMAGE             the image and its ancestors, the image first
Standard library only: it runs before any virtual environment exists.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

IMAGES_DIR = Path(__file__).resolve().parent
ROOT = IMAGES_DIR.parent
TABLE = IMAGES_DIR / "images.toml"


class TableError(ValueError):
    """A question the table cannot answer: an unknown image or variant. The message says what exists."""


@dataclass(frozen=True)
class Image:
    name: str
    parent: str
    framework: str
    framework_version: str
    import_name: str
    variants: tuple[str, ...]
    requirements: dict[str, list[str]]
    example: str
    size_budget_mb: dict[str, int]

    @property
    def context(self) -> Path:
        return IMAGES_DIR / self.name

    @property
    def dockerfile(self) -> Path:
        """The image's own Dockerfile, else (framework images) the one file they share, images/framework.Dockerfile."""
        own = self.context / "Dockerfile"
        return own if own.is_file() or not self.parent else IMAGES_DIR / "framework.Dockerfile"

    def lock_file(self, variant: str) -> Path:
        return self.context / f"requirements-{variant}.lock"


def _load(path: Path = TABLE) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


RAW = _load()
IMAGES: dict[str, Image] = {
    name: Image(name=name, variants=tuple(spec.pop("variants")), **spec)
    for name, spec in ((name, dict(spec)) for name, spec in RAW["images"].items())
}


def mlfcore_version() -> str:
    """mlfcore's version from pyproject.toml: the image tags start with it."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def image(name: str) -> Image:
    if name not in IMAGES:
        raise TableError(f"unknown image {name!r}: choose one of {', '.join(IMAGES)} (images/images.toml)")
    return IMAGES[name]


def check_variant(name: str, variant: str) -> Image:
    spec = image(name)
    if variant not in spec.variants:
        raise TableError(f"image {name!r} has no variant {variant!r}: choose one of {', '.join(spec.variants)}")
    return spec


def parent_variant(name: str, variant: str) -> str:
    """The parent's variant a child variant builds FROM: the same one, or the parent's only one (the base)."""
    parent = image(image(name).parent)
    return variant if variant in parent.variants else parent.variants[0]


def chain(name: str) -> list[str]:
    """The image and its ancestors, the image first: a child runs its parent's tests too."""
    names = []
    while name:
        names.append(name)
        name = image(name).parent
    return names


def namespace() -> str:
    """The local namespace images are tagged under: the table's, or $MLF_IMAGE_NAMESPACE (two checkouts building on
    one engine keep their images apart with it)."""
    return os.environ.get("MLF_IMAGE_NAMESPACE") or RAW["namespace"]


def repository(name: str) -> str:
    return f"{namespace()}/{name}"


def full_tag(name: str, variant: str, version: str | None = None) -> str:
    spec = check_variant(name, variant)
    version = version or mlfcore_version()
    return f"{version}-{spec.framework}{spec.framework_version}-{variant}"


def tags(name: str, variant: str, version: str | None = None) -> list[str]:
    """Every reference IMAGE:VARIANT is tagged with, the full (immutable) one first, then the moving ones."""
    version = version or mlfcore_version()
    repo = repository(name)
    refs = [f"{repo}:{full_tag(name, variant, version)}"]
    refs += [f"{repo}:{tag.format(version=version, variant=variant)}" for tag in RAW["moving_tags"]]
    if variant == RAW["latest_variant"]:
        refs.append(f"{repo}:latest")
    return refs


def parent_ref(name: str, variant: str) -> str:
    """The full reference of the parent image (empty for the base, which starts FROM the OS image)."""
    spec = check_variant(name, variant)
    if not spec.parent:
        return ""
    return tags(spec.parent, parent_variant(name, variant))[0]


def matrix() -> list[dict[str, str]]:
    return [{"image": name, "variant": variant} for name, spec in IMAGES.items() if spec.parent
            for variant in spec.variants]


def _main(argv: list[str]) -> int:
    queries = {
        "names": lambda: list(IMAGES),
        "variants": lambda name: list(image(name).variants),
        "matrix": lambda: [json.dumps(matrix())],
        "tags": tags,
        "parent-tag": lambda name, variant: [parent_ref(name, variant)],
        "chain": chain,
    }
    if not argv or argv[0] not in queries:
        print(f"usage: table.py {{{','.join(queries)}}} [IMAGE [VARIANT]]", file=sys.stderr)
        return 2
    try:
        answer = queries[argv[0]](*argv[1:])
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except TypeError:
        print(f"error: wrong number of arguments for {argv[0]!r}", file=sys.stderr)
        return 2
    print("\n".join(answer))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
