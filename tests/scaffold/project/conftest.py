"""Fixtures for the scaffold tests: fixed answers per framework, rendered projects, and the CLI as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlfcore.scaffold.project import answers, frameworks, render, toolkit

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).resolve().parent / "golden"
VENV_BIN = Path(sys.executable).parent
# The golden trees are rendered projects with their own tests: data here, not tests of this repository.
collect_ignore_glob = ["golden/*"]

FRAMEWORKS = frameworks.names()
# Licenses spread over the frameworks, so the golden files cover all three texts (others: MIT).
LICENSE_OF = {"pytorch": "MIT", "tensorflow": "Apache-2.0", "xgboost": "BSD-3-Clause"}
# A made-up digest: the golden files must not depend on what the local engine holds.
FIXED_DIGEST = "sha256:" + "ab" * 32


def fixed_answers(framework: str, **changes) -> answers.Answers:
    """Answers that do not depend on the day, the user or the engine: what the golden files were rendered from."""
    tag = f"ghcr.io/mlfcore/{framework}:{toolkit.version()}-golden-cpu"
    values = dict(name=f"golden-{framework}", framework=framework, variant="cpu", owner="acme", registry="ghcr.io",
                  license=LICENSE_OF.get(framework, "MIT"), description=f"Golden {framework} project.",
                  from_image=f"{tag}@{FIXED_DIGEST}", deploy=("k8s", "slurm"), year=2026)
    values.update(changes)
    return answers.Answers(**values)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """framework → a project rendered on disk from fixed answers (shared: the tests only read it)."""
    base = tmp_path_factory.mktemp("rendered")
    return {framework: render.write(render.render(fixed_answers(framework)), base / framework)
            for framework in FRAMEWORKS}


def scaffold(*args: str, cwd: Path | None = None, env: dict | None = None, stdin=subprocess.DEVNULL,
             timeout: float = 120) -> subprocess.CompletedProcess:
    """`mlf-scaffold ARGS` in a fresh process, standard input not a terminal."""
    return subprocess.run([sys.executable, "-c", "from mlfcore.scaffold.cli import main; main()", *args],
                          cwd=cwd, env=env, stdin=stdin, capture_output=True, text=True, timeout=timeout)


def venv_environment() -> dict[str, str]:
    """PATH with this virtual environment first, as an activated venv has it: MLproject commands say `python`."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
