"""PyTorch: which table applies, and the two lists in torch's own `use_deterministic_algorithms` docstring.

The table (lint/data/torch-<major.minor>.toml) mirrors the docstring bullet for bullet; tests compare the two on
the installed torch, so a pin bump shows exactly which bullets appeared, disappeared or moved between the lists
(e.g. `cumsum` on CUDA still raises in 2.13 and became deterministic later).
"""

from __future__ import annotations

import re
from importlib import metadata

FRAMEWORK = "torch"

# The docstring's two list headings (torch 2.x wording) and the list each one starts.
_HEADINGS = (
    (re.compile(r"will act\s+deterministically when ``mode=True``"), "deterministic"),
    (re.compile(r"will throw a\s+:class:`RuntimeError` when ``mode=True``"), "raises"),
)


def installed_version() -> str | None:
    """The installed torch's version, read from package metadata (importing torch takes seconds)."""
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def documented_ops(doc: str) -> set[tuple[str, str]]:
    """(list, bullet text with whitespace collapsed) for every bullet of the docstring's two lists."""
    found: set[tuple[str, str]] = set()
    for pattern, name in _HEADINGS:
        heading = pattern.search(doc)
        if heading is None:
            continue
        bullets: list[list[str]] = []
        indent = None
        for line in doc[heading.end():].splitlines()[1:]:
            stripped = line.strip()
            if not stripped:
                continue
            depth = len(line) - len(line.lstrip())
            if indent is None and stripped.startswith("* "):
                indent = depth
            if indent is None or depth < indent or (depth == indent and not stripped.startswith("* ")):
                break  # the first line back at the text's own indentation ends the list
            if depth == indent:
                bullets.append([stripped[2:]])
            else:
                bullets[-1].append(stripped)
        found.update((name, " ".join(" ".join(b).split())) for b in bullets)
    return found
