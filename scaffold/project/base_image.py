"""The one adapter to image identity: the reference a rendered project's `FROM` line names.

The published reference comes from image identity (mlfcore.scaffold.identity, the one owner of names and tags); this
module adds the digest when the local Docker engine knows one
(RepoDigests: set when the image was pulled or pushed). Everything else in `new` takes the reference as a string.
"""

from __future__ import annotations

from mlfcore.entrypoint.errors import UsageError

from .. import engine, identity, references
from . import toolkit


def tag(image: str, variant: str) -> str:
    spec = toolkit.image(image)
    variant = variant if variant in spec.variants else spec.variants[0]
    return identity.reference(image, variant)


def reference(image: str, variant: str) -> str:
    """`<tag>@sha256:<digest>` when the engine holds the image with a registry digest, else the exact tag."""
    ref = tag(image, variant)
    digest = _local_digest(ref)
    return f"{ref}@{digest}" if digest else ref


def _local_digest(ref: str) -> str | None:
    try:
        from docker.errors import DockerException
    except ImportError:  # the scaffold extra is not installed: no engine to ask
        return None
    try:
        found = engine.client().images.get(ref)
    except (UsageError, DockerException):  # no engine, or the image is not there
        return None
    repository = references.parse(ref).repository
    return next((parsed.digest for parsed in map(references.parse, found.attrs.get("RepoDigests", []))
                 if parsed.repository == repository), None)
