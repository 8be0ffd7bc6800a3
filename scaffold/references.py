"""Image references, parsed once: `[host[:port]/]path[:tag][@sha256:<64 hex>]`, by the grammar of docker's
distribution/reference (github.com/distribution/reference, reference.go). The push, the manifest list, the build's
base digest, publish and the deploy manifests' pins all ask here, so none splits a reference its own way (a
`host:port/name` without a tag is not a name and a tag)."""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
DOCKER_HUB = "docker.io"
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class Reference:
    repository: str  # as written, without tag and digest: "127.0.0.1:5000/mlfcore/base", "mlfcore/base"
    host: str  # the registry: the first component when it has '.', ':' or is localhost, else Docker Hub
    path: str  # the repository within the registry: "mlfcore/base"
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The reference without its digest, as the engine tags it: the repository and the tag written."""
        return self.repository + (f":{self.tag}" if self.tag else "")

    @property
    def tag_or_digest(self) -> str:
        """What a registry's API names the manifest by: the digest, else the tag (`latest` when none is given)."""
        return self.digest or self.tag or DEFAULT_TAG


def host(reference: str) -> str:
    """The registry host of a reference (docker's rule: a first component with '.', ':' or 'localhost')."""
    first, _, rest = reference.partition("/")
    return first if rest and ("." in first or ":" in first or first == "localhost") else DOCKER_HUB


def parse(reference: str) -> Reference:
    name, _, digest = reference.partition("@")
    if digest and not DIGEST.fullmatch(digest):
        raise ValueError(f"{reference!r}: {digest!r} is not a sha256 digest")
    last = name.rpartition("/")[2]
    repository, tag = (name.rpartition(":")[0], name.rpartition(":")[2]) if ":" in last else (name, None)
    registry = host(repository)
    path = repository[len(registry) + 1:] if repository.startswith(registry + "/") else repository
    return Reference(repository, registry, path, tag or None, digest or None)


def is_digest(text: str) -> bool:
    return DIGEST.fullmatch(text) is not None
