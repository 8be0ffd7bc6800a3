"""After a push, point the project's Kubernetes manifests at what was pushed: `<name>@sha256:<digest>`.

`mlf-scaffold new --deploy k8s` renders deploy/k8s/*.yaml with the image by digest (a tag can move under a running
Job; a digest cannot) and a placeholder digest, plus MLF_IMAGE_REF and MLF_IMAGE_DIGEST in the container's
environment: a container cannot read its own digest, so the run records the image only when the host passes it
(mlfcore.entrypoint.sysinfo.image). `mlf-scaffold publish` knows the digest the registry gave; this module writes
it into every `<name>@sha256:…` reference to the published image and into the MLF_IMAGE_DIGEST value, and leaves
references to any other image alone. Each changed file is written to a temporary file beside it and renamed into
place, so a file is never half-written; the change is a plain diff in the project's repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlfcore.entrypoint.files import atomic_write
from mlfcore.scaffold import references

DEPLOY_GLOB = "deploy/k8s/*.yaml"
_DIGEST = references.DIGEST.pattern
_DIGEST_VALUE = re.compile(r'(- name: MLF_IMAGE_DIGEST\n\s+value: )"' + _DIGEST + '"')


def _reference(name: str) -> re.Pattern:
    # The whole reference: not the tail of a longer name (`acme/x` inside `ghcr.io/acme/x`).
    return re.compile(r"(?<![\w./:-])" + re.escape(name) + "@(" + _DIGEST + r")(?![0-9a-f])")


def current_digest(text: str, name: str) -> str | None:
    """The digest TEXT names NAME by (the first), or None."""
    found = _reference(name).search(text)
    return found.group(1) if found else None


def pinned(text: str, name: str, digest: str) -> str:
    """TEXT with every reference to NAME by digest, and the MLF_IMAGE_DIGEST beside it, set to DIGEST."""
    reference = _reference(name)
    if not reference.search(text):
        return text
    text = reference.sub(f"{name}@{digest}", text)
    return _DIGEST_VALUE.sub(lambda match: match.group(1) + json.dumps(digest), text)


def _replace(path: Path, text: str) -> None:
    atomic_write(path, text, keep_mode=True)


def update(folder: Path, name: str, digest: str) -> list[Path]:
    """Pin the project's deploy manifests that name NAME to DIGEST; the files that changed, relative to FOLDER."""
    if not references.is_digest(digest):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    changed = []
    for path in sorted(folder.glob(DEPLOY_GLOB)):
        text = path.read_text(encoding="utf-8")
        new = pinned(text, name, digest)
        if new != text:
            _replace(path, new)
            changed.append(path.relative_to(folder))
    return changed
