"""Fixtures for the host-side tests that need a Docker engine and a registry (publish, our images' push)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

# A fixed identity and time for the test commits: a project's image is built at its commit's time.
GIT = ["git", "-c", "user.name=mlfcore tests", "-c", "user.email=tests@mlfcore.invalid", "-c", "commit.gpgsign=false"]


def remove_project_storage(name: str) -> None:
    """The builder's layer cache of a project `mlf-scaffold publish` built (one volume per project and commit)."""
    from mlfcore.scaffold import identity
    from mlfcore.scaffold.images import builder

    prefix = f"{identity.namespace()}-buildah-project-{name}-"
    for volume in builder.docker("volume", "ls", "--quiet").stdout.split():
        if volume.startswith(prefix):
            builder.docker("volume", "rm", volume)


def commit_all(folder: Path, message: str = "test") -> str:
    """`git init` (once) and commit everything in FOLDER; the commit's id. `mlf-scaffold publish` builds a project
    from a commit (its time is the image's SOURCE_DATE_EPOCH)."""
    if not (folder / ".git").exists():
        subprocess.run(["git", "init", "--quiet", str(folder)], check=True)
    subprocess.run([*GIT, "-C", str(folder), "add", "--all"], check=True)
    subprocess.run([*GIT, "-C", str(folder), "commit", "--quiet", "--allow-empty", "-m", message], check=True)
    return subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="session")
def registry(engine, tmp_path_factory):
    """A registry on 127.0.0.1 (tests/scaffold/registry.py); the local tags naming it are removed afterwards."""
    from .registry import start

    for running in start(tmp_path_factory.mktemp("registry")):
        yield running
        for image in engine.images.list():
            for tag in (tag for tag in image.tags if tag.startswith(f"{running.host}/")):
                engine.images.remove(tag)


@pytest.fixture(scope="session")
def base_image(build_image) -> str:
    """Our base image, built (with the cache) the way `make image/base` builds it; its full local reference."""
    return build_image("base")
