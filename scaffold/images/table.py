"""THE table of images (images.toml, shipped as package data): what each image is built from and what it pins.

`python -m mlfcore.scaffold.images.table QUERY [IMAGE [VARIANT]]` prints one answer per line (Makefile, workflow):
  names                    every image, parents first
  variants IMAGE           the image's variants
  matrix                   a JSON list of {"image", "variant"} for the framework images (the workflow's matrix)
  matrix-all               the same with the base first (the workflow's push matrix)
  tags IMAGE VARIANT       every local tag of IMAGE:VARIANT, the full one first (mlfcore.scaffold.identity)
  parent-tag IMAGE VARIANT the full tag of its parent image (empty for the base)
  chain IMAGE              the image and its ancestors, the image first
  arches IMAGE VARIANT     the architectures IMAGE:VARIANT is published for (x86_64 first)
  matrix-arch ARCH         a JSON list of {"image", "variant"} built for ARCH, parents first
Standard library only. The build contexts (Dockerfiles, lock files) live in the source tree's images/ folder: an
installed mlf-scaffold reads the table, only a checkout builds our images.
"""

from __future__ import annotations

import json
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# The checkout this module runs from (an editable install or the source tree): scaffold/images/table.py.
ROOT = Path(__file__).resolve().parents[2]
IMAGES_DIR = ROOT / "images"


# The architecture the locks without a suffix are resolved for; another one has its own lock files (`-aarch64`).
DEFAULT_ARCH = "x86_64"
ARCHES = {"x86_64": "linux/amd64", "aarch64": "linux/arm64"}


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
    default_variant: str
    requirements: dict[str, list[str]]
    example: str
    size_budget_mb: dict[str, int]
    # variant -> the architectures it is published for (a manifest list per tag); absent: x86_64 only.
    arches: dict[str, list[str]] = field(default_factory=dict)
    # The Debian packages the image adds to the OS image (the base; its children install the same set in their
    # framework stage), every dependency locked in images/base/debian.lock (mlfcore.scaffold.images.debian_lock).
    debian: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A requirement names the framework's version as {version}: the pin is written once, framework_version (the
        # lock, the labels and the tags all follow it; pyproject's extras are checked against it by a test).
        object.__setattr__(self, "requirements", {variant: [item.format(version=self.framework_version)
                                                            for item in items]
                                                  for variant, items in self.requirements.items()})

    def arches_of(self, variant: str) -> list[str]:
        return list(self.arches.get(variant, [DEFAULT_ARCH]))

    @property
    def context(self) -> Path:
        return IMAGES_DIR / self.name

    @property
    def dockerfile(self) -> Path:
        """The image's own Dockerfile, else (framework images) the one file they share, images/framework.Dockerfile."""
        own = self.context / "Dockerfile"
        return own if own.is_file() or not self.parent else IMAGES_DIR / "framework.Dockerfile"

    def lock_file(self, variant: str, arch: str = DEFAULT_ARCH) -> Path:
        suffix = "" if arch == DEFAULT_ARCH else f"-{arch}"
        return self.context / f"requirements-{variant}{suffix}.lock"


def _load() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("images.toml").read_text(encoding="utf-8"))


RAW = _load()
DEBIAN: dict = RAW["debian"]
IMAGES: dict[str, Image] = {
    name: Image(name=name, variants=tuple(spec.pop("variants")), **spec)
    for name, spec in ((name, dict(spec)) for name, spec in RAW["images"].items())
}


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


def root() -> str:
    """The image every other one starts FROM: the table's image without a parent (it installs the Debian packages)."""
    return next(name for name, spec in IMAGES.items() if not spec.parent)


def chain(name: str) -> list[str]:
    """The image and its ancestors, the image first: a child runs its parent's tests too."""
    names = []
    while name:
        names.append(name)
        name = image(name).parent
    return names


def matrix(with_base: bool = False) -> list[dict[str, str]]:
    """The framework images and variants (the workflow's build matrix); with_base adds the base (its push matrix)."""
    return [{"image": name, "variant": variant} for name, spec in IMAGES.items() if spec.parent or with_base
            for variant in spec.variants]


def matrix_arch(arch: str) -> list[dict[str, str]]:
    """Every image and variant published for ARCH, parents first (the workflow's job for that architecture)."""
    if arch not in ARCHES:
        raise TableError(f"unknown architecture {arch!r}: choose one of {', '.join(ARCHES)}")
    return [{"image": name, "variant": variant} for name, spec in IMAGES.items() for variant in spec.variants
            if arch in spec.arches_of(variant)]


def _main(argv: list[str]) -> int:
    from mlfcore.scaffold import identity

    queries = {
        "names": lambda: list(IMAGES),
        "variants": lambda name: list(image(name).variants),
        "matrix": lambda: [json.dumps(matrix())],
        "matrix-all": lambda: [json.dumps(matrix(with_base=True))],
        "tags": identity.tags,
        "parent-tag": lambda name, variant: [identity.parent_ref(name, variant)],
        "chain": chain,
        "arches": lambda name, variant: check_variant(name, variant).arches_of(variant),
        "matrix-arch": lambda arch: [json.dumps(matrix_arch(arch))],
    }
    if not argv or argv[0] not in queries:
        print(f"usage: python -m mlfcore.scaffold.images.table {{{','.join(queries)}}} [IMAGE [VARIANT]]",
              file=sys.stderr)
        return 2
    try:
        answer = queries[argv[0]](*argv[1:])
    except (TableError, identity.IdentityError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except TypeError:
        print(f"error: wrong number of arguments for {argv[0]!r}", file=sys.stderr)
        return 2
    print("\n".join(answer))
    return 0


if __name__ == "__main__":
    # Through the imported module, so the errors it raises are the classes _main catches (not __main__'s copies).
    from mlfcore.scaffold.images import table as _table

    sys.exit(_table._main(sys.argv[1:]))
