"""Jupyter notebooks: their code cells, read as one module (imports in one cell bind names for the next, as in a
kernel), with each finding placed at its cell and the line within it.

IPython syntax is not Python: a line magic (`%matplotlib inline`), a shell escape (`!pip install x`) and a cell
magic (`%%time`, which makes the whole cell something else) are blanked, keeping line numbers. A cell that still
does not parse is blanked too and reported as `file-syntax` at its cell, so one bad cell costs only itself.
"""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from typing import Callable

from .model import Finding
from .rules import files as file_rules


def cells(raw: bytes) -> list[tuple[int, list[str]]] | str:
    """(cell number, lines) for every code cell (numbered among all cells, 1-based, as Jupyter shows them), or
    why the notebook cannot be read."""
    try:
        document = json.loads(raw)
        found = []
        for number, cell in enumerate(document.get("cells", []), 1):
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            found.append((number, text.split("\n")))
        return found
    except (ValueError, AttributeError, TypeError) as err:
        return f"not a readable notebook: {type(err).__name__}: {err}"


def _python(lines: list[str]) -> list[str]:
    if lines and lines[0].lstrip().startswith("%%"):
        return [""] * len(lines)
    return ["" if line.lstrip().startswith(("%", "!")) else line for line in lines]


def check_cells(display: str, raw: bytes, parse_and_check: Callable[[str, bytes], list[Finding]]) -> tuple[
        list[Finding], int]:
    """The findings of one notebook, and its code line count."""
    found = cells(raw)
    if isinstance(found, str):
        return [Finding(display, 1, 1, file_rules.SYNTAX.id, file_rules.SYNTAX.severity, "", found,
                        file_rules.SYNTAX.fix)], 0
    source: list[str] = []
    where: list[tuple[int, int]] = []  # line of the joined module (0-based) → (cell, line in the cell)
    notes: list[Finding] = []
    for number, lines in found:
        lines = _python(lines)
        try:
            ast.parse("\n".join(lines))
        except (SyntaxError, ValueError) as err:
            line = getattr(err, "lineno", None) or 1
            notes.append(Finding(display, line, 1, file_rules.SYNTAX.id, file_rules.SYNTAX.severity, "",
                                 f"syntax error in this cell, which was not checked: {getattr(err, 'msg', err)}",
                                 file_rules.SYNTAX.fix, cell=number))
            lines = [""] * len(lines)
        source += lines
        where += [(number, index) for index in range(1, len(lines) + 1)]
    findings = parse_and_check(display, "\n".join(source).encode("utf-8"))
    placed = []
    for finding in findings:
        if 0 < finding.line <= len(where):
            cell, line = where[finding.line - 1]
            finding = replace(finding, line=line, cell=cell)
        placed.append(finding)
    return notes + placed, sum(1 for line in source if line.strip())
