"""Helpers: lint a snippet of source written to a temporary file, in-process (one file, one process)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mlfcore.entrypoint.lint import Report, lint_paths


def lint_snippet(folder: Path, source: str, name: str = "snippet.py", **options) -> Report:
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return lint_paths([path], base=folder, jobs=1, **options)


def rule_ids(report: Report) -> list[str]:
    return [f.rule for f in report.findings]


@pytest.fixture
def lint(tmp_path: Path):
    """lint(source, **options) -> Report for `source` as one module."""
    return lambda source, **options: lint_snippet(tmp_path, source, **options)
