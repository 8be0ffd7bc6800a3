"""`mlf-scaffold list` and `mlf-scaffold info FRAMEWORK`: what a project can start from."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mlfcore.entrypoint import console

from . import base_image, frameworks, render, toolkit

Json = Annotated[bool, typer.Option("--json", help="Print the answer as JSON on stdout.")]


def describe(name: str) -> dict:
    """One framework: its image tags per variant, the versions a project pins and the templates it renders."""
    spec = toolkit.image(name)
    row = frameworks.FRAMEWORKS[name]
    templates = [t for t in render.environment().list_templates()
                 if t.startswith(("project/", f"frameworks/{name}/"))]
    return {
        "framework": name,
        "summary": row.summary,
        "toolkit": toolkit.version(),
        "framework_version": f"{spec.framework} {spec.framework_version}",
        "images": {variant: base_image.tag(name, variant) for variant in spec.variants},
        "pins": {variant: toolkit.pins(name, variant) for variant in spec.variants},
        "parameter": {row.parameter: row.default},
        "templates": templates,
    }


def list_frameworks(as_json: Json = False) -> int:
    """List the frameworks a project can start from, with the image each builds FROM."""
    rows = [{"framework": name, "summary": row.summary, "image": base_image.tag(name, "cpu")}
            for name, row in frameworks.FRAMEWORKS.items()]
    if as_json:
        console.out(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        console.out(f"{row['framework']:<11} {row['image']:<60} {row['summary']}")
    return 0


def info(framework: Annotated[str, typer.Argument(help=f"{frameworks.choices()}.")],
         as_json: Json = False) -> int:
    """Show a framework's image tags, pinned versions and templates."""
    facts = describe(framework)
    if as_json:
        console.out(json.dumps(facts, indent=2))
        return 0
    lines = [f"{framework}: {facts['summary']}", f"toolkit: mlfcore {facts['toolkit']}",
             f"framework: {facts['framework_version']}",
             f"parameter: {', '.join(f'{k} (default {v})' for k, v in facts['parameter'].items())}", "images:"]
    lines += [f"  {variant}: {tag}" for variant, tag in facts["images"].items()]
    lines += ["pins:"] + [f"  {variant}: {', '.join(pins)}" for variant, pins in facts["pins"].items()]
    lines += ["templates:"] + [f"  {name}" for name in facts["templates"]]
    console.out("\n".join(lines))
    return 0


def register(app: typer.Typer) -> None:
    app.command("list")(list_frameworks)
    app.command("info")(info)
