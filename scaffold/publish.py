"""`mlf-scaffold publish [PROJECT_DIR]`: build a project's image and push it; the result is `<name>@sha256:<digest>`.

The image is named from the project's pyproject.toml: `<registry>/<[project] name>:<[project] version>` — the
registry from `--registry`, else `[tool.mlf.publish] registry`, else `ghcr.io/$GITHUB_REPOSITORY_OWNER` in GitHub
Actions; the tag from `--tag` (repeatable), else the version made a Docker tag by identity.docker_tag ('+' -> '_').
The build is our images' (mlfcore.scaffold.images.builder: Debian's buildah in the pinned builder, at the project
commit's time), of a copy of the project's files that git tracks or does not ignore (mlfcore.scaffold.source), so
the same commit gives the same image id on any machine: `mlf-scaffold rebuild-check` rebuilds it from its labels.
The push is mlfcore.scaffold.registry_client. After a push, the project's Kubernetes manifests that name the image are pinned
to the pushed digest, MLF_IMAGE_REF and MLF_IMAGE_DIGEST included (mlfcore.scaffold.deploy_refs), so a run there
records the image it ran in.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from mlfcore.entrypoint.errors import CheckFailed, UsageError
from mlfcore.scaffold import deploy_refs, engine, identity, provision, references, registry_client, source
from mlfcore.scaffold.images import builder

# A Dockerfile's FROM line: its image, as the engine knows it (ARG-named and stage parents are left to the builder).
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Project:
    folder: Path
    name: str
    version: str
    registry: str
    source: str


@dataclass(frozen=True)
class Published:
    name: str
    tags: list[str]
    digest: str | None
    updated: list[str] = field(default_factory=list)  # deploy files pinned to the digest
    image_id: str | None = None  # the id a rebuild of the commit gives (`mlf-scaffold rebuild-check`)
    dirty: bool = False

    @property
    def reference(self) -> str:
        return f"{self.name}@{self.digest}" if self.digest else f"{self.name}:{self.tags[0]}"

    def as_dict(self) -> dict:
        return {"name": self.name, "tags": self.tags, "digest": self.digest, "reference": self.reference,
                "updated": self.updated, "image_id": self.image_id, "dirty": self.dirty}


def read_project(folder: Path, registry: str | None) -> Project:
    """The project's name, version and registry; bad input is one UsageError naming what to fix."""
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        raise UsageError(f"{pyproject} not found: run publish in a project folder (mlf-scaffold new makes one)")
    if not (folder / "Dockerfile").is_file():
        raise UsageError(f"{folder / 'Dockerfile'} not found: a project image is built from the project's Dockerfile")
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{pyproject} is not valid TOML: {error}") from None
    project = data.get("project", {})
    if not project.get("name") or not project.get("version"):
        raise UsageError(f"{pyproject} needs [project] name and version: the image is named and tagged from them")
    registry = registry or data.get("tool", {}).get("mlf", {}).get("publish", {}).get("registry") or (
        f"ghcr.io/{os.environ['GITHUB_REPOSITORY_OWNER'].lower()}" if os.environ.get("GITHUB_REPOSITORY_OWNER")
        else None)
    if not registry:
        raise UsageError("no registry to publish to: pass --registry ghcr.io/<owner>, or set [tool.mlf.publish] "
                         "registry in pyproject.toml")
    source = next((url for label, url in project.get("urls", {}).items() if label.lower() in {"source", "repository"}),
                  "")
    return Project(folder, project["name"].lower(), project["version"], registry, source)


def image_name(project: Project) -> str:
    try:
        return identity.project_repository(project.registry, project.name)
    except identity.IdentityError as error:
        raise UsageError(str(error)) from None


def froms(dockerfile: Path) -> list[str]:
    """The images the Dockerfile starts FROM that the engine holds by name (a digest reference is left to the
    builder, which pulls it from its registry)."""
    names = [ref for ref in _FROM.findall(dockerfile.read_text(encoding="utf-8")) if "$" not in ref and "@" not in ref]
    return [ref for ref in dict.fromkeys(names) if builder.docker("image", "inspect", ref).returncode == 0]


def build_image(folder: Path, ref: str, labels: dict[str, str], epoch: int, *, scope: str,
                no_cache: bool = False) -> str:
    """Build FOLDER's Dockerfile with the builder at EPOCH, from a copy of its files, into the engine as REF;
    returns the image id. Nothing is tagged when the build fails."""
    with tempfile.TemporaryDirectory(prefix="mlfcore-project-") as staged:
        source.copy_tree(folder, Path(staged))
        if not (Path(staged) / "Dockerfile").is_file():
            raise UsageError(f"{folder / 'Dockerfile'} is not committed or is ignored by git: the image is built from "
                             "the files git tracks")
        try:
            with builder.scratch_storage() if no_cache else nullcontext(builder.storage(epoch, scope)) as volume:
                image = builder.build(Path(staged), epoch=epoch, build_args={}, labels=labels,
                                      froms=froms(Path(staged) / "Dockerfile"), volume=volume, no_cache=no_cache)
                builder.to_engine(image, ref, volume)
        except builder.BuilderError as error:
            raise CheckFailed(f"building {ref} failed: {error}") from None
    return image


def project_labels(project: Project, inputs: source.Source) -> dict[str, str]:
    labels = identity.oci_labels(project.name, project.version, source=project.source or None)
    return {**labels, **identity.build_labels(inputs, builder=builder.label(), project=project.name)}


def build(project: Project, refs: list[str]) -> tuple[str, source.Source]:
    """The project's image, tagged with every ref; its id and what it was built from."""
    try:
        inputs = source.of(project.folder)
        builder.ensure()
    except (source.SourceError, builder.BuilderError) as error:
        raise UsageError(str(error)) from None
    image = build_image(project.folder, refs[0], project_labels(project, inputs), inputs.epoch,
                        scope=f"project-{project.name}")
    for ref in refs[1:]:
        if builder.docker("tag", image, ref).returncode != 0:
            raise CheckFailed(f"tagging {image} as {ref} failed")
    return image, inputs


def publish(folder: Path, *, registry: str | None = None, tags: list[str] | None = None, no_push: bool = False,
            secret: registry_client.Credentials | None = None) -> Published:
    project = read_project(folder.resolve(), registry)
    name = image_name(project)
    try:
        tag_names = [identity.docker_tag(tag) for tag in (tags or [project.version])]
    except identity.IdentityError as error:
        raise UsageError(str(error)) from None
    refs = [f"{name}:{tag}" for tag in tag_names]
    engine.sdk()  # a missing extra is said before the engine is asked: installing it is the first thing to do
    if not provision.engine_answers():
        raise UsageError("no Docker engine answers: start dockerd (or Docker Desktop) and retry")
    client = engine.client()
    try:
        if not no_push:  # the credentials are checked before a long build, not after it
            registry_client.login(client, references.host(refs[0]), secret)
        image, inputs = build(project, refs)
        if no_push:
            return Published(name, tag_names, None, image_id=image, dirty=inputs.dirty)
        digests = {registry_client.push(client, ref, secret) for ref in refs}
    finally:
        client.close()
    if len(digests) != 1:
        raise CheckFailed(f"the tags of {name} were pushed with different digests: {', '.join(sorted(digests))}")
    digest = digests.pop()
    updated = [str(path) for path in deploy_refs.update(project.folder, name, digest)]
    return Published(name, tag_names, digest, updated, image_id=image, dirty=inputs.dirty)
