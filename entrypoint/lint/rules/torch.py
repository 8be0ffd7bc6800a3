"""PyTorch: which table applies, and the two lists in torch's own `use_deterministic_algorithms` docstring.

The table (lint/data/torch-<major.minor>.toml) mirrors the docstring bullet for bullet; tests compare the two on
the installed torch, so a pin bump shows exactly which bullets appeared, disappeared or moved between the lists
(e.g. `cumsum` on CUDA still raises in 2.13 and became deterministic later).
"""

from __future__ import annotations

import re

from .. import installed

FRAMEWORK = "torch"

# The docstring's two list headings (torch 2.x wording) and the list each one starts.
_HEADINGS = (
    (re.compile(r"will act\s+deterministically when ``mode=True``"), "deterministic"),
    (re.compile(r"will throw a\s+:class:`RuntimeError` when ``mode=True``"), "raises"),
)


def installed_version() -> str | None:
    """The installed torch's version, from its dist-info folder (importing torch takes seconds)."""
    return installed.version("torch")


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


def compare(doc: str, rules) -> dict[str, list[str]]:
    """What differs between a torch docstring and a rule table: bullets the table lacks (`new`), bullets the
    docstring no longer has (`gone`), and bullets that changed list (`moved`, e.g. cumsum from raises to
    deterministic). Empty lists mean the table mirrors the docstring exactly."""
    documented = documented_ops(doc)
    tabled = {(entry.list, entry.text) for rule in rules for entry in rule.docs}
    moved = sorted(text for _, text in documented - tabled if any(t == text for _, t in tabled - documented))
    return {
        "new": sorted(f"{kind}: {text}" for kind, text in documented - tabled if text not in moved),
        "gone": sorted(f"{kind}: {text}" for kind, text in tabled - documented if text not in moved),
        "moved": [f"{next(k for k, t in tabled if t == text)} -> {next(k for k, t in documented if t == text)}: "
                  f"{text}" for text in moved],
    }
