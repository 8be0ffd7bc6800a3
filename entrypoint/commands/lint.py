"""`mlf lint [PATHS...]`: find non-deterministic framework calls before they cost a training run.

Exit code: 0 no error-level finding (with --strict: no warning either); 1 findings; 2 bad usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .lint_core import Device, Format, execute
from .options import Project


def lint(
    paths: Annotated[Optional[List[str]], typer.Argument(help="Files or folders to check \\[default: the project].",
                                                          show_default=False)] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text for people, json for programs, sarif "
                                                                   "for GitHub code scanning.")] = Format.text,
    select: Annotated[Optional[str], typer.Option("--select", help="Comma-separated rule ids or prefixes (torch, "
                                                                   "tf, xgb, contract, lib, file) to check "
                                                                   "\\[default: \\[tool.mlf.lint] select, else all].",
                                                  show_default=False)] = None,
    ignore: Annotated[Optional[str], typer.Option("--ignore", help="Comma-separated rule ids or prefixes to skip "
                                                                   "(added to \\[tool.mlf.lint] ignore).",
                                                  show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    table: Annotated[Optional[List[str]], typer.Option("--table", help="FRAMEWORK=X.Y: use that version's rule "
                                                                       "table \\[default: the installed "
                                                                       "version's]. Repeatable.",
                                                       show_default=False)] = None,
    torch_version: Annotated[Optional[str], typer.Option("--torch-version", help="The same as --table torch=X.Y "
                                                                                 "(the option's earlier name).",
                                                         show_default=False)] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Processes \\[default: the cores].",
                                                show_default=False)] = None,
    device: Annotated[Device, typer.Option("--device", help="Where the code will run: any (CUDA-only findings at "
                                                            "their full level), cpu (they become info), cuda.")
                      ] = Device.any,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="List the rules and exit.")] = False,
    project: Project = Path("."),
) -> int:
    """Check Python files for calls that are non-deterministic or raise under the determinism contract.

    Exit code: 0 no error-level finding (--strict: no warning either), 1 findings, 2 bad usage.
    """
    return execute(paths, output_format, select, ignore, strict, table, torch_version, jobs, device, list_rules,
                   project)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
