"""Templates to files, all or nothing: render every file in memory, write them into a temporary directory beside
the target, then move them into place — a bad name or a template error leaves nothing on disk.

Template layout (package data of mlfcore.scaffold, under templates/):
  project/               every project
  frameworks/<name>/     overlays: a file here replaces the project/ file at the same path (framework.toml,
                         what the templates know of the framework, is read, not rendered)
  licenses/<SPDX id>.j2  the LICENSE
  deploy/<target>/       only with --deploy <target>, rendered under deploy/<target>/
A path component `__package__` becomes the import package, a leading `dot-` becomes `.` (package data globs skip
dot files), and `.j2` is dropped. Undefined variables are errors (StrictUndefined).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

from mlfcore.entrypoint.errors import UsageError

from .answers import Answers
from .frameworks import FILE as FRAMEWORK_FILE

EXECUTABLE = (".sh", ".sbatch")


def environment():
    import json
    import shlex

    try:  # the scaffold extra's: a plain `pip install mlfcore` lacks it, which is bad usage, not a bug
        import jinja2
    except ImportError:
        raise UsageError("Jinja2 (package `jinja2`) is not installed: mlf-scaffold renders projects with it",
                         hint="pip install 'mlfcore[scaffold]'") from None

    env = jinja2.Environment(loader=jinja2.PackageLoader("mlfcore.scaffold", "templates"),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                             lstrip_blocks=True, autoescape=False)
    # A JSON string is also a valid TOML basic string and YAML double-quoted scalar: one quoting for all three.
    env.filters["quoted"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    env.filters["shell_quoted"] = lambda value: shlex.quote(str(value))
    return env


def output_path(relative: str, package: str) -> str:
    parts = []
    for part in PurePosixPath(relative).parts:
        part = part.replace("__package__", package)
        parts.append("." + part[4:] if part.startswith("dot-") else part)
    path = "/".join(parts)
    return path[:-3] if path.endswith(".j2") else path


def plan(answers: Answers, templates: list[str]) -> dict[str, str]:
    """Output path → template name for this project: project/, the framework's overlay, the license, deploy/."""
    chosen: dict[str, str] = {}
    layers = [("project/", ""), (f"frameworks/{answers.framework}/", "")]
    layers += [(f"deploy/{target}/", f"deploy/{target}/") for target in answers.deploy]
    for prefix, destination in layers:
        for name in templates:
            if name.startswith(prefix) and name != f"{prefix}{FRAMEWORK_FILE}":
                chosen[output_path(destination + name[len(prefix):], answers.package)] = name
    chosen["LICENSE"] = f"licenses/{answers.license}.j2"
    return dict(sorted(chosen.items()))


def render(answers: Answers) -> dict[str, str]:
    """Every file of the project as text, by its path relative to the project root."""
    env = environment()
    context = answers.context()
    files = {}
    for path, name in plan(answers, env.list_templates()).items():
        text = env.get_template(name).render(context)
        if text.strip():  # a template may render empty when it does not apply (e.g. PyTorchJob without torch)
            files[path] = text
    return files


def check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory", hint="choose another --dir or name")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(f"{target} exists and is not empty",
                         hint="choose another --dir or name, or pass --force to render into it")


def write(files: dict[str, str], target: Path, force: bool = False) -> Path:
    """Write `files` under `target` (created); with `force`, into an existing directory, replacing only the files
    rendered. Staged in a temporary directory on the same file system, so the moves are renames."""
    target = target.resolve()
    check_target(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-", dir=target.parent) as staging:
        stage = Path(staging) / "project"
        for relative, text in files.items():
            path = stage / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if path.suffix in EXECUTABLE:
                path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        if not target.exists():
            os.rename(stage, target)
        else:
            _merge(stage, target)
    return target


def _merge(stage: Path, target: Path) -> None:
    for path in sorted(stage.rglob("*")):
        if path.is_dir():
            continue
        destination = target / path.relative_to(stage)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.is_dir():
            shutil.rmtree(destination)
        os.replace(path, destination)
