"""Fixtures every test folder shares: the Docker engine the image, scaffold and publish tests drive."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def engine():
    """The docker SDK client; an error in CI when no engine answers (.ci/run starts one), a skip elsewhere."""
    import docker

    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except Exception as failure:  # the SDK raises several types for "no engine"; any of them means the same
        message = f"no Docker engine answers ({type(failure).__name__}): start dockerd (see .ci/run)"
        if IN_CI:
            pytest.fail(f"tests that drive the Docker engine are required in CI: {message}", pytrace=False)
        pytest.skip(message)
    yield client
    client.close()
