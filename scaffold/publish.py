"""`mlf-scaffold publish [PROJECT_DIR]`: build a project's image and push it; the result is `<name>@sha256:<digest>`.

The image is named from the project's pyproject.toml: `<registry>/<[project] name>:<[project] version>` — the
registry from `--registry`, else `[tool.mlf.publish] registry`, else `ghcr.io/$GITHUB_REPOSITORY_OWNER` in GitHub
Actions; the tag from `--tag` (repeatable), else the version made a Docker tag by identity.docker_tag ('+' -> '_').
The build is the docker client's (BuildKit, as our images are built); the push is mlfcore.scaffold.registry_client. After a
push, the project's Kubernetes manifests that name the image are pinned to the pushed digest, MLF_IMAGE_REF and
MLF_IMAGE_DIGEST included (mlfcore.scaffold.deploy_refs), so a run there records the image it ran in.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mlfcore.entrypoint.errors import CheckFailed, UsageError
from mlfcore.scaffold import deploy_refs, engine, identity, provision, references, registry_client


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

    @property
    def reference(self) -> str:
        return f"{self.name}@{self.digest}" if self.digest else f"{self.name}:{self.tags[0]}"

    def as_dict(self) -> dict:
        return {"name": self.name, "tags": self.tags, "digest": self.digest, "reference": self.reference,
                "updated": self.updated}


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


def build(project: Project, refs: list[str]) -> None:
    """docker build of the project folder, tagged with every ref; the builder's output goes to stderr."""
    labels = identity.oci_labels(project.name, project.version, source=project.source or None)
    command = [engine.CLI, "build"]
    for ref in refs:
        command += ["--tag", ref]
    for key, value in labels.items():
        command += ["--label", f"{key}={value}"]
    # The builder's progress goes to stderr: stdout carries only the result (`<name>@sha256:…` or JSON).
    done = subprocess.run([*command, str(project.folder)], env=dict(os.environ, DOCKER_BUILDKIT="1"),
                          stdout=2)
    if done.returncode != 0:
        raise CheckFailed(f"building {refs[0]} failed (the builder's output is above)")


def publish(folder: Path, *, registry: str | None = None, tags: list[str] | None = None, no_push: bool = False,
            secret: registry_client.Credentials | None = None) -> Published:
    project = read_project(folder.resolve(), registry)
    name = image_name(project)
    try:
        tag_names = [identity.docker_tag(tag) for tag in (tags or [project.version])]
    except identity.IdentityError as error:
        raise UsageError(str(error)) from None
    refs = [f"{name}:{tag}" for tag in tag_names]
    if not provision.engine_answers():
        raise UsageError("no Docker engine answers: start dockerd (or Docker Desktop) and retry")
    client = engine.client()
    try:
        if not no_push:  # the credentials are checked before a long build, not after it
            registry_client.login(client, references.host(refs[0]), secret)
        build(project, refs)
        if no_push:
            return Published(name, tag_names, None)
        digests = {registry_client.push(client, ref, secret) for ref in refs}
    finally:
        client.close()
    if len(digests) != 1:
        raise CheckFailed(f"the tags of {name} were pushed with different digests: {', '.join(sorted(digests))}")
    digest = digests.pop()
    updated = [str(path) for path in deploy_refs.update(project.folder, name, digest)]
    return Published(name, tag_names, digest, updated)
