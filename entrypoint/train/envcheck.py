"""An MLproject's python_env / conda_env checked against the environment mlf runs in.

`mlflow run` builds the environment a project names; under mlf the image (or the venv) is the environment, so the
project's file is compared with it instead: each requirement that is missing, or installed at a version the file
does not allow, and a Python version that differs, becomes one warning. Never a refusal: the file often pins what
its author happened to have, and the run's record names what really ran.

Formats, as MLflow reads them: python_env.yaml has `python`, `build_dependencies` and `dependencies` (pip
requirement lines, `-r file` included; mlflow/utils/environment.py, `_PythonEnv`); conda.yaml has `dependencies`
with conda specs (`python=3.10`, `numpy=1.26`) and a `pip:` list of pip requirement lines.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:=\s*=?\s*([^=\s]+))?")
# Distributions that another one provides: MLflow's images and mlf carry mlflow-skinny, the same `mlflow` package.
_PROVIDED_BY = {"mlflow": ("mlflow-skinny",)}
# Conda packages that are not Python distributions: present in every conda file, meaningless to pip.
_CONDA_ONLY = frozenset({"pip", "python", "setuptools", "wheel", "cudatoolkit", "cudnn", "libgcc", "_libgcc_mutex"})


def _pip_lines(lines: list, base: Path) -> Iterator[str]:
    for line in lines:
        text = str(line).split("#", 1)[0].strip()
        if not text:
            continue
        if text.startswith(("-r ", "--requirement ")):
            included = base / text.split(None, 1)[1].strip()
            if included.is_file():
                yield from _pip_lines(included.read_text(encoding="utf-8").splitlines(), included.parent)
            else:
                yield f"{text}  (file not found)"
            continue
        if text.startswith("-"):  # pip options (--index-url, -c ...) say nothing about what is installed
            continue
        yield text


def _installed(name: str) -> str | None:
    for candidate in (name, *_PROVIDED_BY.get(name.lower(), ())):
        try:
            return metadata.version(candidate)
        except metadata.PackageNotFoundError:
            continue
    return None


def _check_pip(line: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return f"{line!r} is not a requirement mlf can check"
    if requirement.marker is not None and not requirement.marker.evaluate():
        return None
    installed = _installed(requirement.name)
    if installed is None:
        return f"{requirement} is not installed"
    if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
        return f"{requirement} is wanted, {requirement.name} {installed} is installed"
    return None


def _check_conda(spec: str) -> str | None:
    match = _CONDA_SPEC.match(spec)
    if not match or match.group(1).lower() in _CONDA_ONLY:
        return None
    name, version = match.group(1), match.group(2)
    installed = _installed(name)
    if installed is None:
        return f"{spec} is not installed (conda package names can differ from pip's)"
    # conda's `name=1.2` means 1.2.*; `name==1.2` exactly (conda's match specification).
    if version and not (installed == version or installed.startswith(version.rstrip("*").rstrip(".") + ".")):
        return f"{spec} is wanted, {name} {installed} is installed"
    return None


def _check_python(wanted: object) -> str | None:
    if wanted is None:
        return None
    wanted = str(wanted).strip()
    running = platform.python_version()
    if running == wanted or running.startswith(wanted + "."):
        return None
    return f"Python {wanted} is wanted, {running} is running"


def _read(path: Path) -> dict:
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return document if isinstance(document, dict) else {}


def _python_env(path: Path) -> list[str]:
    document = _read(path)
    problems = [_check_python(document.get("python"))]
    lines = list(document.get("build_dependencies") or []) + list(document.get("dependencies") or [])
    problems += [_check_pip(line) for line in _pip_lines(lines, path.parent)]
    return [p for p in problems if p]


def _conda_env(path: Path) -> list[str]:
    problems: list[str | None] = []
    for entry in _read(path).get("dependencies") or []:
        if isinstance(entry, dict):
            problems += [_check_pip(line) for line in _pip_lines(list(entry.get("pip") or []), path.parent)]
        elif str(entry).strip().startswith("python"):
            match = re.match(r"python\s*=+\s*([0-9.]+)", str(entry).strip())
            problems.append(_check_python(match.group(1)) if match else None)
        else:
            problems.append(_check_conda(str(entry)))
    return [p for p in problems if p]


def problems(kind: str | None, path: Path | None) -> list[str]:
    """One line per requirement of the project's environment file that this environment does not meet."""
    if path is None or kind not in ("python_env", "conda_env"):
        return []
    import yaml

    try:
        return (_python_env if kind == "python_env" else _conda_env)(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        return [f"{path.name} could not be read, so it was not compared with this environment: {err}"]
