"""Image sizes against the framework's own installed size, and the rebuild time of a project image after a
one-line code change (the layer cache intact). Uses images already built on this engine; builds only the small
project image, under its own namespace, and removes it."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from importlib import metadata
from pathlib import Path

from mlfcore.scaffold.engine import CLI as DOCKER  # the one docker client (Debian's: BuildKit built in)

FRAMEWORK_OF = {"pytorch": "torch", "xgboost": "xgboost", "tensorflow": "tensorflow"}


def _docker(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, check=True, **kwargs)


def local_images() -> dict[str, int]:
    """name:tag → bytes for the mlfcore images on this engine (any namespace: base, pytorch, ...)."""
    listing = _docker("image", "ls", "--format", "{{json .}}").stdout.splitlines()
    found: dict[str, int] = {}
    for row in map(json.loads, listing):
        repository, tag = row["Repository"], row["Tag"]
        kind = repository.rsplit("/", 1)[-1]
        if kind in ("base", *FRAMEWORK_OF) and "-" in tag and "/" in repository:
            size = json.loads(_docker("image", "inspect", row["ID"], "--format", "{{json .Size}}").stdout)
            found[f"{repository}:{tag}"] = size
    return found


def installed_size(distribution: str) -> int | None:
    """The bytes a distribution's RECORD lists (its own files, not its dependencies') in this venv."""
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return None
    return sum(f.size or 0 for f in files)


def sizes() -> list[str]:
    lines = ["| image | size | framework's own installed size (this venv, same version) | image / framework |",
             "| --- | ---: | ---: | ---: |"]
    seen_ids: set[str] = set()
    for name, size in sorted(local_images().items()):
        kind = name.split(":")[0].rsplit("/", 1)[-1]
        key = (kind, size)
        if key in seen_ids:
            continue
        seen_ids.add(key)
        framework = installed_size(FRAMEWORK_OF[kind]) if kind in FRAMEWORK_OF else None
        ratio = f"{size / framework:.2f}" if framework else ""
        lines.append(f"| `{name}` | {size / 1e6:.0f} MB | {f'{framework / 1e6:.0f} MB' if framework else ''} | "
                     f"{ratio} |")
    return lines


PROJECT_DOCKERFILE = """\
ARG BASE
FROM ${BASE}
COPY --chown=1000:1000 requirements.txt /workspace/requirements.txt
COPY --chown=1000:1000 . /workspace/
"""


def rebuild(base: str, runs: int = 3) -> list[str]:
    """Build a project image FROM `base` once, then change one line of train.py and rebuild, `runs` times."""
    tag = f"{os.environ.get('MLF_IMAGE_NAMESPACE', 'bench')}/project-rebuild-bench:latest"
    times = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "Dockerfile").write_text(PROJECT_DOCKERFILE)
        (root / "requirements.txt").write_text("")
        (root / "train.py").write_text("print('epoch 0')\n" * 50)
        build = ["build", "--build-arg", f"BASE={base}", "-t", tag, folder]
        env = {**os.environ, "DOCKER_BUILDKIT": "1"}
        try:
            _docker(*build, env=env, timeout=900)
            for run in range(runs):
                (root / "train.py").write_text(f"print('epoch {run + 1}')\n" + "print('epoch 0')\n" * 49)
                start = time.perf_counter()
                _docker(*build, env=env, timeout=900)
                times.append(time.perf_counter() - start)
        finally:
            subprocess.run([DOCKER, "image", "rm", "-f", tag], capture_output=True)
    times.sort()
    return [f"Rebuild of a project image `FROM {base}` after a one-line change to train.py (BuildKit, cache intact): "
            f"median {times[len(times) // 2]:.2f} s of {runs} (min {times[0]:.2f} s, max {times[-1]:.2f} s)."]
