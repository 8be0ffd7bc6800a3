"""Fixtures for the host-side tests that need a Docker engine and a registry (publish, our images' push)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlfcore.scaffold import identity


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
def base_image(engine) -> str:
    """Our base image, built (with the cache) the way `make image/base` builds it; its full local reference."""
    command = [sys.executable, "-m", "mlfcore.scaffold.images.build", "base"]
    for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE"),
                             ("--base-image", "BASE_IMAGE")):
        if os.environ.get(variable):
            command += [option, os.environ[variable]]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"building base failed:\n{result.stderr[-4000:]}", pytrace=False)
    return identity.tags("base", "cpu")[0]
