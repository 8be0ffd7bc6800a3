"""The proof's results on disk: docs/GPU.json (what was measured) and docs/GPU.md (rendered from it).

A run that selects some parts keeps the other parts' earlier results, each with its own machine, date and
command: a second call on the GPU machine can finish what the first one's budget cut. Results from a fake device
and from a GPU are never mixed. Both files are written beside their target and renamed over it.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.files import write_atomically

from .report import ANALYSIS, render

SCHEMA = 1


def json_path(output: Path) -> Path:
    return output.with_suffix(".json")


def empty(fake_device: bool) -> dict:
    return {"schema": SCHEMA, "fake_device": fake_device, "parts": {}}


def load(output: Path, fake_device: bool, fresh: bool) -> tuple[dict, str | None]:
    """The earlier results to build on, and a note when some were set aside. UsageError for an unreadable file."""
    path = json_path(output)
    if fresh or not path.exists():
        return empty(fake_device), None
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(results, dict) or results.get("schema") != SCHEMA or not isinstance(results.get("parts"),
                                                                                             dict):
            raise ValueError(f"not the proof's results (schema {SCHEMA})")
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot read the earlier results {path}: {err}",
                         hint="remove the file, or pass --fresh to start over") from None
    if bool(results.get("fake_device")) != fake_device:
        kind = "a fake device" if results.get("fake_device") else "a GPU"
        return empty(fake_device), f"the earlier results in {path.name} came from {kind}: set aside, not mixed in"
    return results, None


def save(results: dict, output: Path) -> None:
    """docs/GPU.json, then docs/GPU.md with the hand-written analysis of the existing file kept."""
    analysis = ""
    if output.is_file():
        text = output.read_text(encoding="utf-8")
        analysis = text.split(ANALYSIS, 1)[1] if ANALYSIS in text else ""
    write_atomically(json_path(output), json.dumps(results, indent=1, sort_keys=True) + "\n")
    write_atomically(output, render(results, analysis))
