"""`mlf-scaffold new NAME`: render a project that trains deterministically on an mlfcore image from its first commit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import UsageError

from . import answers, base_image, frameworks, names, render, toolkit


def new(
    name: Annotated[Optional[str], typer.Argument(help="Project name: directory, package and image name.",
                                                  show_default=False)] = None,
    framework: Annotated[Optional[str], typer.Option(help=f"{frameworks.choices()} "
                                                          f"\\[default: {frameworks.DEFAULT}].",
                                                     show_default=False)] = None,
    variant: Annotated[Optional[str], typer.Option(help="Image variant: cpu or cuda \\[default: cpu].",
                                                   show_default=False)] = None,
    directory: Annotated[Optional[Path], typer.Option("--dir", help="Where to render \\[default: ./NAME].",
                                                      show_default=False)] = None,
    owner: Annotated[Optional[str], typer.Option(help="GitHub owner of the project \\[default: "
                                                      "$GITHUB_REPOSITORY_OWNER, else your login].",
                                                 show_default=False)] = None,
    registry: Annotated[Optional[str], typer.Option(help="Registry the project's image is published to "
                                                         "\\[default: ghcr.io].", show_default=False)] = None,
    license_id: Annotated[Optional[str], typer.Option("--license", help="MIT, Apache-2.0 or BSD-3-Clause "
                                                                        "\\[default: MIT].",
                                                      show_default=False)] = None,
    description: Annotated[Optional[str], typer.Option(help="One line for README and pyproject.toml.",
                                                       show_default=False)] = None,
    deploy: Annotated[Optional[List[str]], typer.Option(help="Also render deployment files: slurm, k8s "
                                                             "(repeatable).", show_default=False)] = None,
    from_image: Annotated[Optional[str], typer.Option("--from-image", help="The image the Dockerfile starts FROM "
                                                      "\\[default: our framework image, exact tag and digest when "
                                                      "known].", show_default=False)] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt: take the defaults.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Render into an existing non-empty directory, replacing "
                                                        "the files rendered.")] = False,
) -> int:
    """Render a new project: Dockerfile FROM our image, MLproject, code, tests, docs and CI workflows.

    In a terminal, what is not given is asked for; with --no-input or without a terminal the defaults apply.
    Exit code: 0 rendered; 2 bad input (nothing is written).
    """
    ask = answers.interactive(no_input)
    if name is None:
        if not ask:
            raise UsageError("missing project name", hint=f"mlf-scaffold new NAME; allowed: {names.ALLOWED}")
        name = typer.prompt("project name")
    names.validated(name)
    framework = answers.choose(framework, frameworks.names(), "framework", frameworks.DEFAULT, ask)
    chosen = answers.Answers(
        name=name, framework=framework,
        variant=answers.choose(variant, toolkit.image(framework).variants, "variant", "cpu", ask),
        owner=answers.check_owner(answers.text(owner, "owner", answers.default_owner(), ask)),
        registry=answers.check_registry(registry or answers.DEFAULT_REGISTRY),
        license=answers.choose(license_id, answers.LICENSES, "license", answers.DEFAULT_LICENSE, ask),
        description=answers.check_description(
            answers.text(description, "description", answers.default_description(framework), ask)),
        from_image="",
        deploy=answers.check_deploy(deploy),
    )
    target = directory if directory is not None else Path(name)
    render.check_target(target, force)  # before the engine is asked for a digest: fail fast, write nothing
    chosen = _with_image(chosen, from_image)
    written = render.write(render.render(chosen), target, force)
    console.info(f"rendered {console.escape(chosen.name)} ({chosen.framework}, {chosen.variant}) into "
                 f"{console.escape(written)}, FROM {console.escape(chosen.from_image)}")
    console.out(str(written))
    return 0


def _with_image(chosen: answers.Answers, from_image: str | None) -> answers.Answers:
    from dataclasses import replace

    return replace(chosen, from_image=from_image or base_image.reference(chosen.framework, chosen.variant))


def register(app: typer.Typer) -> None:
    app.command("new")(new)
