"""Image identity: what an image is called, where it is published, how it is tagged and labelled.

The one owner of these answers (the build, the push, the workflow and `mlf-scaffold new`/`publish` call it):

- **Local names** `<namespace>/<image>`: the table's namespace `mlfcore`, or `$MLF_IMAGE_NAMESPACE` (two checkouts
  building on one engine keep their images apart with it).
- **Registries**: `ghcr.io/mlfcore/<image>` by default (`$MLF_IMAGE_REGISTRY` or `--registry` sets another); Docker
  Hub as `mlfcore/<image>` too when `$DOCKERHUB_USERNAME` and `$DOCKERHUB_TOKEN` are set.
- **Tags**: `<mlfcore version>-<framework><framework version>-<variant>` (the full, immutable one), an immutable
  `sha-<commit>-<variant>` when published from a commit, and the moving tags `<version>-<variant>`, `<variant>`;
  the image's default variant also gets `<version>`, `latest` and `sha-<commit>`. The version is the package's; on a
  release the git tag must say the same (`release_version`).
- **Labels**: the OCI annotations (image-spec annotations.md) with the real source URL from pyproject's
  [project.urls], the base image's name and digest, and the hash of the locks the image installed; and the build
  inputs a rebuild needs (`build_labels`: the commit's time, whether the checkout was dirty, the Debian lock's hash
  and time, the builder), which `mlf-scaffold rebuild-check` reads back (`build_inputs`).

Standard library only: the Makefile and the workflow ask it before any dependency is installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from importlib import metadata

from mlfcore.scaffold.images import table

# Every environment variable identity reads, named once.
NAMESPACE_VARIABLE = "MLF_IMAGE_NAMESPACE"
REGISTRY_VARIABLE = "MLF_IMAGE_REGISTRY"
DOCKERHUB_VARIABLES = ("DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN")
# Docker Hub's registry host; references on it are written without it (`mlfcore/pytorch`).
DOCKER_HUB = "docker.io"
# distribution/reference's grammar: tag := [\w][\w.-]{0,127} (github.com/distribution/reference, reference.go).
_TAG = re.compile(r"[\w][\w.-]{0,127}")


class IdentityError(ValueError):
    """An identity question with no valid answer (a version that is no tag, a git tag that disagrees)."""


def _pyproject() -> dict | None:
    path = table.ROOT / "pyproject.toml"
    if not path.is_file():
        return None
    project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    return project if project.get("name") == "mlfcore" else None


def mlfcore_version() -> str:
    """mlfcore's version: pyproject's in a checkout (always current), else the installed distribution's."""
    project = _pyproject()
    return project["version"] if project else metadata.version("mlfcore")


def source_url() -> str:
    """The repository URL, from pyproject's [project.urls] Source (the installed metadata's Project-URL)."""
    project = _pyproject()
    if project:
        return project["urls"]["Source"]
    for entry in metadata.metadata("mlfcore").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "source":
            return url.strip()
    raise IdentityError("mlfcore's metadata has no Source URL: reinstall mlfcore")


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(table.ROOT), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def commit() -> str:
    """The commit being built: $GITHUB_SHA in the workflow, else the checkout's HEAD ('' outside git)."""
    return os.environ.get("GITHUB_SHA") or _git("rev-parse", "HEAD")


def git_tag() -> str:
    """The release tag of this commit ('' when none): the workflow's ref on a tag push, else `git describe`."""
    if os.environ.get("GITHUB_REF_TYPE") == "tag":
        return os.environ.get("GITHUB_REF_NAME", "")
    return _git("describe", "--tags", "--exact-match", "HEAD")


def release_version(tag: str | None = None) -> str:
    """The version to publish: the package's, checked against the release tag `v<version>` when there is one, so a
    new git tag without a version bump cannot overwrite the tags an earlier release pushed."""
    current = mlfcore_version()
    tag = git_tag() if tag is None else tag
    if tag and tag.removeprefix("v") != current:
        raise IdentityError(f"git tag {tag} does not match mlfcore's version {current} (pyproject.toml): "
                            f"bump [project] version to {tag.removeprefix('v')} or tag v{current}")
    return current


def docker_tag(text: str) -> str:
    """A version as a Docker tag. Rule: '+' (a PEP 440 local version, e.g. 1.0+cpu) becomes '_' — as Helm does for
    chart versions in OCI registries; reversible, since a normalised PEP 440 version holds no '_'. Anything else
    that is no valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) is an error."""
    tag = text.replace("+", "_")
    if not _TAG.fullmatch(tag):
        raise IdentityError(f"{text!r} cannot be a Docker tag: use letters, digits, '_', '.', '-' (at most 128, "
                            "not starting with '.' or '-')")
    return tag


def namespace() -> str:
    return os.environ.get(NAMESPACE_VARIABLE) or table.RAW["namespace"]


def repository(image: str) -> str:
    """The local repository of one of our images: `<namespace>/<image>`."""
    return f"{namespace()}/{image}"


def full_tag(image: str, variant: str, version: str | None = None) -> str:
    spec = table.check_variant(image, variant)
    return docker_tag(f"{version or mlfcore_version()}-{spec.framework}{spec.framework_version}-{variant}")


def moving_tags(image: str, variant: str, version: str | None = None) -> list[str]:
    """The tags that move to each new build: per variant, and the variant-less ones for the default variant."""
    spec = table.check_variant(image, variant)
    version = version or mlfcore_version()
    names = list(table.RAW["moving_tags"])
    if variant == spec.default_variant:
        names += table.RAW["default_tags"]
    return [docker_tag(name.format(version=version, variant=variant)) for name in names]


def sha_tags(image: str, variant: str, revision: str) -> list[str]:
    """Immutable per commit: `sha-<12 hex>-<variant>`, and `sha-<12 hex>` for the default variant."""
    spec = table.check_variant(image, variant)
    short = revision[:12]
    return [f"sha-{short}-{variant}"] + ([f"sha-{short}"] if variant == spec.default_variant else [])


def tags(image: str, variant: str, version: str | None = None, arch: str = table.DEFAULT_ARCH) -> list[str]:
    """Every local reference IMAGE:VARIANT is tagged with, the full (immutable) one first, then the moving ones.
    A build for another architecture than x86_64 is tagged apart locally (`…-cpu-aarch64`), never over it."""
    repo = repository(image)
    suffix = "" if arch == table.DEFAULT_ARCH else f"-{arch}"
    return [f"{repo}:{tag}{suffix}" for tag in [full_tag(image, variant, version),
                                                 *moving_tags(image, variant, version)]]


def parent_ref(image: str, variant: str, arch: str = table.DEFAULT_ARCH) -> str:
    """The full local reference of the parent image (empty for the base, which starts FROM the OS image)."""
    spec = table.check_variant(image, variant)
    return tags(spec.parent, table.parent_variant(image, variant), arch=arch)[0] if spec.parent else ""


def _registry(registry: str | None) -> str:
    registry = (registry or os.environ.get(REGISTRY_VARIABLE) or table.RAW["registry"]).strip().rstrip("/")
    if not registry or any(char.isspace() for char in registry) or "//" in registry:
        raise IdentityError(f"registry {registry!r} is not a registry: pass a host with an optional path, "
                            "e.g. ghcr.io/mlfcore or 127.0.0.1:5000")
    return registry


def _short(registry: str) -> str:
    """Docker Hub references are written without its host (`mlfcore/pytorch`), as `docker pull` prints them."""
    host, _, path = registry.partition("/")
    return path if host in {DOCKER_HUB, "index.docker.io", "registry-1.docker.io"} else registry


def registry_prefix(registry: str | None = None) -> str:
    """Where our images are published, as a reference prefix. A bare host gets our namespace (`ghcr.io` ->
    `ghcr.io/mlfcore`, `127.0.0.1:5000` -> `127.0.0.1:5000/mlfcore`); Docker Hub is written without its host."""
    registry = _registry(registry)
    return _short(registry if "/" in registry else f"{registry}/{table.RAW['namespace']}")


def project_repository(registry: str, name: str) -> str:
    """A project's image: `<registry>/<name>`, the registry as given (a bare host is fine, except Docker Hub, where
    an image needs an account: `docker.io/<user>`)."""
    prefix = _short(_registry(registry))
    if not prefix:
        raise IdentityError(f"registry {registry!r} needs an account on Docker Hub: pass docker.io/<user>")
    return f"{prefix}/{name}"


def publish_registries() -> list[str]:
    """Where our images go: the default registry, and Docker Hub when its credentials are configured."""
    targets = [registry_prefix()]
    if all(os.environ.get(name) for name in DOCKERHUB_VARIABLES):
        targets.append(registry_prefix(DOCKER_HUB))
    return targets


def reference(image: str, variant: str, registry: str | None = None, version: str | None = None) -> str:
    """The published reference of one of our images by its full tag: `ghcr.io/mlfcore/pytorch:0.1.0-torch…-cpu`."""
    return f"{registry_prefix(registry)}/{image}:{full_tag(image, variant, version)}"


def published_refs(image: str, variant: str, registry: str | None = None, version: str | None = None,
                   revision: str | None = None) -> list[str]:
    """Every reference a push of IMAGE:VARIANT writes to one registry: full tag first, then sha, then moving."""
    names = [full_tag(image, variant, version)]
    if revision:
        names += sha_tags(image, variant, revision)
    names += moving_tags(image, variant, version)
    prefix = registry_prefix(registry)
    return [f"{prefix}/{image}:{name}" for name in names]


OCI = "org.opencontainers.image."  # the annotation keys of the OCI image-spec (annotations.md)


def oci_labels(title: str, version: str, *, description: str | None = None, source: str | None = None,
               url: str | None = None, revision: str | None = None, licenses: str | None = None,
               base_name: str | None = None, base_digest: str | None = None) -> dict:
    """The OCI labels of an image, ours or a project's: the keys are the image-spec's, written only here (the
    Dockerfiles' LABEL lines must name the same keys: a test compares them)."""
    values = {"title": title, "description": description, "version": version, "source": source, "url": url, "revision": revision,
              "licenses": licenses, "base.name": base_name, "base.digest": base_digest}
    return {OCI + key: value for key, value in values.items() if value is not None}


def labels(image: str, variant: str, *, base_name: str, base_digest: str, lock_hash: str,
           revision: str | None = None, version: str | None = None) -> dict[str, str]:
    """The OCI labels of IMAGE:VARIANT (oci_labels) and ours (io.mlfcore.*)."""
    spec = table.check_variant(image, variant)
    version = version or mlfcore_version()
    # What the image's Dockerfile says in its LABEL too (a plain `docker build` labels it the same way).
    description = (f"{spec.framework} {spec.framework_version} under the mlf determinism contract" if spec.parent
                   else f"Debian bookworm, Python {spec.framework_version} and the mlf entrypoint under the "
                        "determinism contract")
    return {
        **oci_labels(f"{table.RAW['namespace']}/{image}", version, description=description, source=source_url(),
                     url=source_url(),
                     revision=revision or commit() or "unknown", licenses="Apache-2.0", base_name=base_name,
                     base_digest=base_digest),
        "io.mlfcore.image.tag": full_tag(image, variant, version),
        "io.mlfcore.image.variant": variant,
        "io.mlfcore.framework": spec.framework,
        "io.mlfcore.framework.version": spec.framework_version,
        "io.mlfcore.lock.sha256": lock_hash,
    }


# The build inputs a rebuild needs, as labels (read back by `mlf-scaffold rebuild-check`). The commit is the OCI
# revision label; the creation time is the commit's time (SOURCE_DATE_EPOCH), never the build's.
BUILD_LABELS = {
    "revision": "org.opencontainers.image.revision",
    "created": "org.opencontainers.image.created",
    "epoch": "io.mlfcore.build.source-date-epoch",
    "dirty": "io.mlfcore.build.dirty",
    "debian_lock": "io.mlfcore.build.debian-lock.sha256",
    "debian_snapshot": "io.mlfcore.build.debian-snapshot",
    "builder": "io.mlfcore.build.builder",
    "os_base": "io.mlfcore.build.os-base",
    "project": "io.mlfcore.build.project",
}


def build_labels(source, *, builder: str, debian_lock: str | None = None, debian_snapshot: str | None = None,
                 os_base: str | None = None, project: str | None = None) -> dict[str, str]:
    """SOURCE (mlfcore.scaffold.source.Source) and the build's inputs as labels. Our images name their Debian lock
    and OS base (`name@id`); a project's image names the project (its packages are its parent's)."""
    from datetime import datetime, timezone

    values = {"revision": source.revision, "epoch": str(source.epoch), "dirty": "true" if source.dirty else "false",
              "created": datetime.fromtimestamp(source.epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "builder": builder, "debian_lock": debian_lock, "debian_snapshot": debian_snapshot,
              "os_base": os_base, "project": project}
    return {BUILD_LABELS[key]: value for key, value in values.items() if value is not None}


def build_inputs(labels: dict[str, str]) -> dict[str, str]:
    """The build inputs an image's labels carry (keys of BUILD_LABELS); absent ones are left out."""
    return {key: labels[label] for key, label in BUILD_LABELS.items() if labels.get(label)}
