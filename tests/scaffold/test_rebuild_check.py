"""`mlf-scaffold rebuild-check` on a project's image, as an auditor would run it: a project rendered by `mlf-scaffold
new` FROM our base, committed, built by `mlf-scaffold publish --no-push`, rebuilt from its commit in a fresh clone
without any cache: identical. One built from uncommitted changes is refused, as not reproducible; an image without
build inputs is bad input. (A project whose build step is not deterministic, where the check names the differing
path, is in tests/images/test_rebuild_heavy.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mlfcore.scaffold import identity
from mlfcore.scaffold.images import os_base

from .conftest import commit_all, remove_project_storage
from .project.conftest import scaffold

pytestmark = pytest.mark.images
SCAFFOLD = [sys.executable, "-m", "mlfcore.scaffold.cli"]
REGISTRY = "registry.invalid/acme"  # --no-push: named, never contacted


def _project(folder: Path, base_image: str) -> Path:
    name = f"rebuild-{uuid.uuid4().hex[:8]}"
    done = scaffold("new", name, "--framework", "base", "--no-input", "--owner", "acme", "--from-image", base_image,
                    cwd=folder)
    assert done.returncode == 0, done.stderr
    commit_all(folder / name, "rendered by mlf-scaffold new")
    return folder / name


def _publish(project: Path) -> dict:
    done = subprocess.run([*SCAFFOLD, "publish", str(project), "--no-push", "--registry", REGISTRY, "--format",
                           "json"], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def _check(reference: str, project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*SCAFFOLD, "rebuild-check", reference, "--project", str(project)], capture_output=True,
                          text=True, timeout=1800)


@pytest.fixture(scope="module")
def published(engine, base_image, tmp_path_factory):
    """A committed project and its image (the last test dirties the project); the tags are removed afterwards."""
    project = _project(tmp_path_factory.mktemp("projects"), base_image)
    built = _publish(project)
    yield project, built
    for image in (built["reference"], built["image_id"]):
        try:
            engine.images.remove(image, force=True)
        except Exception:  # the docker SDK raises several types for an image already gone; each means the same
            pass
    remove_project_storage(project.name)


def test_a_committed_project_rebuilds_to_the_same_image(engine, published):
    project, built = published
    labels = engine.images.get(built["reference"]).labels
    head = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert built["dirty"] is False and built["image_id"] == engine.images.get(built["reference"]).id
    inputs = identity.build_inputs(labels)
    assert inputs["revision"] == head.strip() and inputs["project"] == project.name and inputs["dirty"] == "false"
    done = _check(built["reference"], project)
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.strip() == f"identical {built['image_id']}"


def test_an_image_without_build_inputs_or_not_there_is_bad_input(engine):
    """The OS base has no io.mlfcore.build.* labels; an image the engine lacks (and no registry has) is not there."""
    done = _check(os.environ.get("BASE_IMAGE") or os_base.default_tag(), Path("."))
    assert done.returncode == 2 and "carries no build inputs" in done.stderr, done.stderr
    done = _check("mlfcore-rebuild-check-test/absent:1", Path("."))
    assert done.returncode == 2 and "could not be pulled" in done.stderr, done.stderr


def test_an_image_built_from_uncommitted_changes_is_not_reproducible(engine, published):
    project, _ = published
    (project / "README.md").write_text((project / "README.md").read_text() + "\nAn uncommitted line.\n")
    built = _publish(project)
    assert built["dirty"] is True
    done = _check(built["reference"], project)
    assert done.returncode == 1, done.stderr
    assert "is not reproducible" in done.stderr and "uncommitted changes" in done.stderr and done.stdout == ""
