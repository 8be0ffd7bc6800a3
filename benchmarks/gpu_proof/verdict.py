"""What the proof found, for its exit code and its last lines: every part not done, every run under the contract
that was not identical, every lint case that mismatched or could not be checked."""

from __future__ import annotations

from .examples import EXAMPLES
from .lint_truth import AGREES


def findings(results: dict, parts: tuple[str, ...]) -> list[str]:
    found = []
    for name in parts:
        record = results["parts"].get(name) or {}
        if record.get("status") != "done":
            found.append(f"{name}: {record.get('status', 'not run')}")
        data = record.get("data") or {}
        found += CHECKS.get(name, lambda _: [])(data)
    return found


def _machine(data: dict) -> list[str]:
    failed = (data.get("sysinfo") or {}).get("failed")
    return [f"machine: mlf sysinfo failed: {failed}"] if failed else []


def _determinism(data: dict) -> list[str]:
    return [f"determinism: {example} under the contract: identical is {data[example]['contract'].get('identical')}"
            for example in EXAMPLES if example in data and data[example]["contract"].get("identical") is not True]


def _resume(data: dict) -> list[str]:
    return [f"resume: {example}: identical is {entry.get('identical')}" for example, entry in data.items()
            if entry.get("identical") is not True]


def _bench(data: dict) -> list[str]:
    return [f"bench: {example}: {entry['status']}" for example, entry in data.items() if entry["status"] != "done"]


def _lint(data: dict) -> list[str]:
    return [f"lint: {row['case']}: {row['verdict']}: {row['why']}" for row in data.get("cases", [])
            if row["verdict"] != AGREES]


CHECKS = {"machine": _machine, "determinism": _determinism, "resume": _resume, "bench": _bench, "lint": _lint}
