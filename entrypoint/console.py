"""Human output: one stderr console that honours NO_COLOR and never prompts in CI. Data goes to stdout."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from . import variables


@lru_cache(maxsize=1)
def err():
    """The stderr console (rich, imported on first use: `mlf run` start-up pays nothing for it otherwise)."""
    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get(variables.NO_COLOR)), highlight=False,
                   soft_wrap=True)


def info(message: str) -> None:
    err().print(message)


def warn(message: str) -> None:
    err().print(f"[bold yellow]warning:[/] {message}")


def error(message: str, hint: str | None = None) -> None:
    """Error messages quote paths, code and `[tool.mlf]`: escaped, so rich markup never eats their brackets."""
    from rich.markup import escape

    err().print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        err().print(f"  [dim]hint:[/] {escape(hint)}")


def out(text: str) -> None:
    """Data for programs: plain text on stdout."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
