"""What differs between two records, most important first: what a user reads when two runs disagree.

First the environment key's fields that differ, in the key table's order of importance (key.FIELDS); then facts
outside the key that still explain a difference (the code's commit, what the frameworks reported at run time, other
packages), marked `in_key: false`. Called `compare` rather than `diff` so the package's `sysinfo.diff` function does
not shadow a module of the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import frameworks, key, probe


@dataclass(frozen=True)
class Extra:
    name: str
    read: Callable[[dict], object]
    why: str
    # Compared only when both records have the fact (a --fast record has no run-time reports).
    needs_both: bool = False


def _runtime(name: str) -> Callable[[dict], object]:
    def read(record: dict):
        runtime = key.lookup(record, "frameworks", "runtime")
        # A --fast record did not ask the frameworks: nothing to compare, not a difference.
        return runtime.get(name) if isinstance(runtime, dict) and "skipped" not in runtime else None
    return read


# Facts outside the key, in order of importance.
EXTRAS: tuple[Extra, ...] = (
    Extra("project.commit", lambda r: key.lookup(r, "project", "commit"), "other code gives other results"),
    Extra("project.dirty", lambda r: key.lookup(r, "project", "dirty"),
          "uncommitted changes: the commit does not say what code ran"),
    *(Extra(f"runtime.{name}", _runtime(name), probe.WHY[name], needs_both=True) for name in probe.PROBES),
    Extra("cpu.model", lambda r: key.lookup(r, "cpu", "model"),
          "another CPU model (dispatch is pinned: usually harmless)"),
    Extra("gpu.compute_capability",
          lambda r: [d.get("compute_capability") for d in key.visible_gpus(r)],
          "the GPU architecture generation"),
    Extra("system.kernel", lambda r: key.lookup(r, "system", "kernel"), "rarely matters; recorded for completeness"),
)


def _packages(a: dict, b: dict) -> dict | None:
    """The distributions whose versions differ, other than those the key already compares."""
    in_key = {name for names in (*frameworks.FRAMEWORKS.values(), *frameworks.LIBRARIES.values()) for name in names}
    first, second = a.get("packages") or {}, b.get("packages") or {}
    if not isinstance(first, dict) or not isinstance(second, dict):
        return None
    names = sorted(name for name in set(first) | set(second)
                   if first.get(name) != second.get(name) and name not in in_key and not name.startswith("nvidia-"))
    if not names:
        return None
    return {"field": "packages", "a": {n: first.get(n) for n in names}, "b": {n: second.get(n) for n in names},
            "why": "other package versions can change results when the code uses them", "in_key": False}


def _narrow(a, b) -> tuple:
    """For two mappings, only the entries that differ (a missing entry reads as None): what a person needs to see."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a, b
    names = [name for name in {**a, **b} if a.get(name) != b.get(name)]
    return {name: a.get(name) for name in names}, {name: b.get(name) for name in names}


def same_key(a: dict, b: dict) -> bool:
    """Whether two records have the same environment key (recomputed: records carry data, not trusted hashes)."""
    return key.environment_key(a)["key"] == key.environment_key(b)["key"]


def diff(a: dict, b: dict) -> list[dict]:
    """The fields that differ between records `a` and `b`, most important first.

    Each item: {"field", "a", "b", "why", "in_key"}; `in_key` says whether the field enters the environment key.
    Where both values are mappings, only their differing entries are shown.
    """
    found = []
    first, second = key.values(a), key.values(b)
    for field in key.FIELDS:
        if first[field.name] != second[field.name]:
            left, right = _narrow(first[field.name], second[field.name])
            found.append({"field": field.name, "a": left, "b": right, "why": field.why, "in_key": True})
    for extra in EXTRAS:
        left, right = extra.read(a), extra.read(b)
        if extra.needs_both and (left is None or right is None):
            continue
        if left != right:
            left, right = _narrow(left, right)
            found.append({"field": extra.name, "a": left, "b": right, "why": extra.why, "in_key": False})
    packages = _packages(a, b)
    if packages:
        found.append(packages)
    return found
