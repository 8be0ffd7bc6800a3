"""Fixtures for the host-side tests that need a Docker engine and a registry (publish, our images' push)."""

from __future__ import annotations

import pytest


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
