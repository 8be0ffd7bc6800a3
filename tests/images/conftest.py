"""Fixtures for the image tests: real containers through the docker SDK and testinfra (as docker-stacks tests its images).

The images come from THE table (images/images.toml). A test module says which image its tests are written for
(`FOR_IMAGE = "base"`); it then runs against that image and every descendant, so a child runs its parent's tests
too (`DESCENDANTS_ONLY = True` leaves the named image itself out). The session builds each image it tests first,
with `python -m mlfcore.scaffold.images.build` and the build cache (the same command as `make image/<name>`), so the
tests always see the current code; VARIANT, WHEELHOUSE, CA_BUNDLE and BASE_IMAGE
come from the environment, as the Makefile exports them.

Without a Docker engine the tests error, never skip, when CI is set (the `engine` fixture in tests/conftest.py).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlfcore.scaffold import identity  # names and tags of the images
from mlfcore.scaffold.images import lock, table  # the lock hash the image must carry; THE table

ROOT = Path(__file__).resolve().parents[2]
BUILD = [sys.executable, "-m", "mlfcore.scaffold.images.build"]

VARIANT = os.environ.get("VARIANT") or "cpu"
# TEST_IMAGE=<name> (the workflow's matrix) tests that image alone, with its parents' tests.


def pytest_collection_modifyitems(items):
    for item in items:
        if "image" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.images)


def pytest_generate_tests(metafunc):
    """Parametrise `image_name` over the module's image and its descendants (one hierarchy: the table)."""
    if "image_name" in metafunc.fixturenames:
        root = getattr(metafunc.module, "FOR_IMAGE", "base")
        names = [name for name in table.IMAGES if root in table.chain(name)
                 and (VARIANT in table.image(name).variants or not table.image(name).parent)]
        if getattr(metafunc.module, "DESCENDANTS_ONLY", False):
            names = [name for name in names if name != root]
        if os.environ.get("TEST_IMAGE"):  # the workflow's matrix: one image per job
            names = [name for name in names if name == os.environ["TEST_IMAGE"]]
        metafunc.parametrize("image_name", names, scope="session")


@dataclass(frozen=True)
class BuiltImage:
    name: str
    variant: str
    ref: str
    spec: table.Image

    @property
    def lock_hash(self) -> str:
        return lock.lock_hash(self.name, self.variant)


@pytest.fixture(scope="session")
def image(build_image, image_name) -> BuiltImage:
    """NAME:VARIANT built with its ancestors, parents first (tests/conftest.py's build_image)."""
    variant = VARIANT if VARIANT in table.image(image_name).variants else table.image(image_name).variants[0]
    chain = [(image_name, variant)]
    while table.image(chain[-1][0]).parent:
        child, child_variant = chain[-1]
        chain.append((table.image(child).parent, table.parent_variant(child, child_variant)))
    for name, each in reversed(chain):
        ref = build_image(name, each)
    return BuiltImage(image_name, variant, ref, table.image(image_name))


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(engine, image: BuiltImage, *command: str, entrypoint: list[str] | None = None, cpus: float | None = None,
        timeout: float = 600) -> Result:
    """Run a container to its end and remove it, always; stdout and stderr apart."""
    options = {"nano_cpus": int(cpus * 1e9)} if cpus else {}
    container = engine.containers.run(image.ref, list(command), entrypoint=entrypoint, detach=True, **options)
    try:
        status = container.wait(timeout=timeout)
        return Result(status["StatusCode"],
                      container.logs(stdout=True, stderr=False).decode(),
                      container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


@pytest.fixture
def container(engine, image):
    """A running container of the image (`mlf run` of a long sleep), always removed; testinfra's host on it."""
    started = engine.containers.run(image.ref, ["run", "--", "python", "-c", "import time; time.sleep(300)"],
                                    detach=True)
    try:
        deadline = time.monotonic() + 60
        while started.status != "running" and time.monotonic() < deadline:
            time.sleep(0.2)
            started.reload()
        yield started
    finally:
        started.remove(force=True)


@pytest.fixture
def host(container):
    import testinfra

    return testinfra.get_host(f"docker://{container.id}")
