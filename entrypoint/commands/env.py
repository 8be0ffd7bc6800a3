"""`mlf env`: the determinism contract as it would be applied on this machine, beside what the environment says."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from .. import config, console, contract
from .options import Portable, Project, Seed, Threads


class Format(str, Enum):
    table = "table"
    text = "text"  # the same as table: `text` and `json` are the formats every command takes
    json = "json"


def env(
    output_format: Format = typer.Option(Format.table, "--format", "-f",
                                         help="table (or text) for people, json for programs."),
    seed: Seed = None,
    threads: Threads = None,
    portable: Portable = None,
    project: Project = Path("."),
) -> int:
    """Print the determinism contract: each entry's required value here, the current value and the reason."""
    settings = config.settings(config.load(project), seed=seed, threads=threads, portable=portable)
    rows = contract.describe(settings)
    if output_format is Format.json:
        payload = {"settings": {"seed": settings.seed, "threads": settings.threads, "portable": settings.portable,
                                "arch": contract.machine_arch()},
                   "entries": rows}
        console.out(json.dumps(payload, indent=2))
        return 0
    _print_table(rows)
    return 0


def _print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="mlf determinism contract", show_lines=False)
    for column in ("name", "required", "current", "status", "frameworks", "reason"):
        table.add_column(column, overflow="fold")
    styles = {"conflict": "bold red", "allowed deviation": "yellow", "ok": "green"}
    for row in rows:
        status = row["status"]
        shown = f"[{styles[status]}]{status}[/]" if status in styles else status
        # Values come from the environment and the table: escaped, so "[/x]" is text, not a closing tag.
        table.add_row(*(console.escape(cell) for cell in (
            row["name"], row["required"] if row["required"] is not None else "—",
            row["current"] if row["current"] is not None else "")),
            shown, ", ".join(row["frameworks"]), console.escape(row["reason"]))
    Console(no_color=console.err().no_color, soft_wrap=False).print(table)


def register(app: typer.Typer) -> None:
    app.command("env")(env)
