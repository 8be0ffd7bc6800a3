"""`mlf-scaffold upgrade [PROJECT_DIR]`: move a project to this toolkit release's image and pins.

The successor of mlf-core's `sync`, narrower on purpose: it rewrites only what the toolkit owns — the Dockerfile,
the CI workflows, the pre-commit configuration, the deployment files, and in pyproject.toml the framework pins,
the mlfcore pin and the recorded toolkit version — never the project's code, docs or tests. The diff is shown
first; --yes applies it. Without --yes, a terminal is asked; otherwise pending changes exit 1 (like a check).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import EXIT_CHECK_FAILED, UsageError

from .. import deploy_refs
from . import answers, base_image, names, project_files, render, toolkit

OWNED = ("Dockerfile", ".pre-commit-config.yaml")
OWNED_PREFIXES = (".github/workflows/", "deploy/")
# The pyproject.toml blocks the toolkit owns: the framework pins, the mlfcore pin, the recorded toolkit version.
PYPROJECT_BLOCKS = (r"^dependencies = \[\n(?:    .*\n)*\]$", r'"mlfcore==[^"]*"', r'^toolkit = "[^"]*"$')


def stored_answers(project: Path, from_image: str | None) -> answers.Answers:
    """The answers the project was rendered with, moved to this toolkit's version and image."""
    table = project_files.scaffold_table(project)
    document = project_files.pyproject(project)
    try:
        chosen = answers.Answers(
            name=names.validated(document["project"]["name"]), framework=table["framework"], variant=table["variant"],
            owner=table["owner"], registry=table["registry"], license=table["license"],
            description=document["project"].get("description", ""), from_image="",
            deploy=answers.check_deploy(list(table.get("deploy", []))))
    except KeyError as missing:
        raise UsageError(f"[tool.{project_files.SCAFFOLD_TABLE}] lacks {missing}",
                         hint="restore the table `mlf-scaffold new` wrote") from None
    toolkit.image(chosen.framework)
    return replace(chosen, from_image=from_image or base_image.reference(chosen.framework, chosen.variant))


def _owned(path: str) -> bool:
    return path in OWNED or path.startswith(OWNED_PREFIXES)


def _pyproject(current: str, rendered: str) -> str:
    for pattern in PYPROJECT_BLOCKS:
        new = re.search(pattern, rendered, re.MULTILINE)
        if new is not None:
            current = re.sub(pattern, lambda _: new.group(0), current, count=1, flags=re.MULTILINE)
    return current


def planned(project: Path, chosen: answers.Answers) -> dict[str, tuple[str, str]]:
    """Relative path → (current text, upgraded text) for every file the upgrade changes."""
    rendered = render.render(chosen)
    targets = {path: text for path, text in rendered.items() if _owned(path)}
    pyproject = project / "pyproject.toml"
    targets["pyproject.toml"] = _pyproject(pyproject.read_text(encoding="utf-8"), rendered["pyproject.toml"])
    result = {}
    for relative, text in targets.items():
        path = project / relative
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        digest = deploy_refs.current_digest(current, chosen.image) if relative.startswith("deploy/") else None
        if digest:  # a digest `mlf-scaffold publish` pinned stays: the template only has the placeholder
            text = deploy_refs.pinned(text, chosen.image, digest)
        if current != text:
            result[relative] = (current, text)
    return result


def diff(changes: dict[str, tuple[str, str]]) -> str:
    return "".join("".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}"))
                   for path, (old, new) in changes.items())


def upgrade(
    project_dir: Annotated[Path, typer.Argument(help="The project \\[default: the current directory].",
                                                show_default=False)] = Path("."),
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply the changes without asking.")] = False,
    from_image: Annotated[Optional[str], typer.Option("--from-image", help="The image to start FROM \\[default: "
                                                      "this toolkit's framework image].", show_default=False)] = None,
) -> int:
    """Move the project to this toolkit release's image and pins: show the diff, then apply it.

    Exit code: 0 up to date or applied; 1 changes pending (not applied: pass --yes); 2 not a rendered project.
    """
    chosen = stored_answers(project_dir, from_image)
    changes = planned(project_dir, chosen)
    if not changes:
        console.info(f"already on mlfcore {chosen.toolkit_version} ({console.escape(chosen.from_image)})")
        return 0
    console.out(diff(changes))
    if not yes and not (answers.interactive(False) and typer.confirm(f"apply {len(changes)} file(s)?")):
        console.info(f"{len(changes)} file(s) would change: run `mlf-scaffold upgrade --yes` to apply")
        return EXIT_CHECK_FAILED
    project_files.replace_all(project_dir, {path: new for path, (_, new) in changes.items()})
    console.info(f"upgraded to mlfcore {chosen.toolkit_version}: {', '.join(changes)}")
    return 0


def register(app: typer.Typer) -> None:
    app.command("upgrade")(upgrade)
