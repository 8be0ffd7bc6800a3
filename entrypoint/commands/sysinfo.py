"""`mlf sysinfo`: record what decides the bits; `--key` prints the environment key, `--diff A B` compares records."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, Tuple

import typer

from .. import config, console, files
from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from .options import Portable, Seed, Threads

# Not options.Project: that help text speaks of linting. "\[" keeps rich from reading [tool.mlf] as markup.
Project = Annotated[Path, typer.Option("--project", "-C", exists=True, file_okay=False, dir_okay=True,
                                       help="Project directory: its pyproject.toml \\[tool.mlf] gives the settings "
                                            "and its git commit is recorded.")]


class Format(str, Enum):
    table = "table"
    text = "text"  # the same as table: `text` and `json` are the formats every command takes
    json = "json"
    yaml = "yaml"


def sysinfo(
    output_format: Annotated[Format, typer.Option("--format", "-f", help="table (or text) for people; json or yaml for "
                                                                         "programs.")] = Format.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", dir_okay=False,
                                                   help="Write to this file instead of stdout.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Do not import the frameworks: versions from package "
                                                      "metadata only (the environment key is the same).")] = False,
    key: Annotated[bool, typer.Option("--key", help="Print only the environment key (json/yaml: with its "
                                                    "fields).")] = False,
    diff: Annotated[Optional[Tuple[Path, Path]], typer.Option("--diff", metavar="A.json B.json",
                                                              help="Compare two records: what differs, most "
                                                                   "important first.")] = None,
    seed: Seed = None,
    threads: Threads = None,
    portable: Portable = None,
    project: Project = Path("."),
) -> int:
    """Record this system: CPU, memory, GPUs (NVML), frameworks and CUDA libraries, packages, git commit, contract.

    Exit code: 0; with --diff, 0 when the records have the same environment key, 1 when they differ, 2 when a
    file is unreadable or not a record.
    """
    from .. import sysinfo as library  # the collectors load only when this command runs
    from ..sysinfo import render

    if output is not None:
        files.check_target(output)  # before collecting anything
    if diff is not None:
        if key or fast:
            raise UsageError("--diff compares two records: it takes neither --key nor --fast")
        first, second = library.load(diff[0]), library.load(diff[1])
        entries, same = library.diff(first, second), library.same_key(first, second)
        text = _render(output_format, {"same_key": same, "differences": entries},
                       lambda: render.diff_table(entries, same), output)
        _emit(text, output)
        return EXIT_OK if same else EXIT_CHECK_FAILED
    settings = config.settings(config.load(project), seed=seed, threads=threads, portable=portable)
    # The key never depends on what the frameworks report at run time, so --key needs no framework import.
    record = library.collect(settings, fast=fast or key, project_dir=project)
    if key:
        data = record["environment_key"]
        as_text = output_format in (Format.table, Format.text)
        text = data["key"] + "\n" if as_text else _render(output_format, data, None, output)
    else:
        text = _render(output_format, record, lambda: render.record_table(record), output)
    _emit(text, output)
    return EXIT_OK


def _render(output_format: Format, data, table, output: Path | None) -> str | None:
    """Text for json/yaml, or for a table going to a file; None for a table printed on the terminal."""
    from ..sysinfo import render

    if output_format is Format.json:
        return render.to_json(data)
    if output_format is Format.yaml:
        return render.to_yaml(data)
    if output is not None:
        return render.as_text(table())
    _print_table(table())
    return None


def _print_table(table) -> None:
    from rich.console import Console

    Console(no_color=console.err().no_color, soft_wrap=False).print(table)


def _emit(text: str | None, output: Path | None) -> None:
    if text is None:
        return
    if output is None:
        console.out(text)
        return
    files.write_atomically(output, text)
    console.info(f"wrote {console.escape(output)}")


def register(app: typer.Typer) -> None:
    app.command("sysinfo")(sysinfo)
