"""The Docker engine, as the host side talks to it: the one owner of which `docker` client runs and how the SDK
connects (provision, the image build and push, publish, `mlf-scaffold new`, the demo).

- `CLI`: Debian's docker.io client where it is installed (it has the BuildKit builder built in; a newer client
  elsewhere on PATH may lack buildx), else the first `docker` on PATH.
- `sdk()`: the docker SDK, or a UsageError naming the extra that installs it.
- `client()`: the docker SDK's client from the environment (DOCKER_HOST, as `docker` reads it), with a timeout a
  push or a build can live with; no engine is a UsageError that says what to start.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from mlfcore.entrypoint.errors import UsageError

DEBIAN_CLIENT = "/usr/bin/docker"
CLI = DEBIAN_CLIENT if os.access(DEBIAN_CLIENT, os.X_OK) else (shutil.which("docker") or "docker")
TIMEOUT_S = 600  # a layer push or a build step on a slow link; the SDK's default of 60 s cut them short


def run(*args: str, capture: bool = True, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    """`docker ARGS` with the one client."""
    return subprocess.run([CLI, *args], capture_output=capture, text=True, env=env, **options)


def sdk():
    """The docker SDK module. It comes with the scaffold extra, which a plain `pip install mlfcore` lacks: its absence
    is bad usage that says what to install, not an internal error."""
    try:
        import docker
    except ImportError:
        raise UsageError("the Docker SDK for Python (package `docker`) is not installed: mlf-scaffold needs it to "
                         "build and push images", hint="pip install 'mlfcore[scaffold]'") from None
    return docker


def client(timeout: int = TIMEOUT_S):
    """The docker SDK's client; UsageError when the SDK is not installed or no engine answers."""
    docker = sdk()
    try:
        engine = docker.from_env(timeout=timeout)
        engine.ping()
    except docker.errors.DockerException as failure:
        raise UsageError(f"no Docker engine answers: {failure}",
                         hint="start dockerd (or Docker Desktop) and retry") from None
    return engine
