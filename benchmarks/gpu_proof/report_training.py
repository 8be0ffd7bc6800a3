"""docs/GPU.md's determinism sections: the trainings under the contract and off it, resumed, and timed."""

from __future__ import annotations

from .examples import EXAMPLES
from .report import table


def _seconds(values) -> str:
    done = [v for v in values or [] if v is not None]
    return ", ".join(f"{v:.1f}" for v in done) or "none"


def _yes(value) -> str:
    return {True: "**yes**", False: "**NO**"}.get(value, "not known")


def contract(part: dict | None) -> list[str]:
    if not part or not part.get("data"):
        return []
    data = part["data"]
    runs = data.get("runs")
    rows, off = [], []
    for example in EXAMPLES:
        entry = data.get(example)
        if not entry:
            continue
        on = entry["contract"]
        rows.append([example, f"`{on['command']}`", on["status"], _yes(on.get("identical")),
                     len(on.get("fingerprints") or []), _seconds(on.get("seconds")),
                     (on.get("fingerprints") or [""])[0][:16], on.get("mismatch") or on.get("why") or ""])
        seeds = entry["seeds_only"]
        done = [run for run in seeds["runs"] if "fingerprint" in run]
        failed = "; ".join(run["failed"] for run in seeds["runs"] if "failed" in run)
        off.append([example, f"{len(done)} of {runs}", seeds.get("distinct", 0),
                    "yes" if seeds.get("distinct", 0) > 1 else ("no" if len(done) > 1 else "not known"),
                    _seconds(run["seconds"] for run in seeds["runs"]),
                    seeds.get("first_difference") or failed or ""])
    return ["### Under the contract", "",
            f"Each example trained {runs} times by `mlf verify`, each run a fresh process; seconds are the "
            "training process's wall time as `mlf train` records it.", "",
            *table(["example", "command", "status", "identical", "runs", "seconds per run", "fingerprint",
                    "first difference / why"], rows), "",
            "### The contract off, its seeds kept", "",
            "The same examples, each run a fresh process (`python -m benchmarks.gpu_proof.seeded EXAMPLE`): the "
            "contract's seeds, none of its switches or variables. Seconds are the process's wall time.", "",
            *table(["example", "runs", "distinct fingerprints", "they differ", "seconds per run",
                    "first difference from run 1"], off), ""]


def resume(part: dict | None) -> list[str]:
    if not part or not part.get("data"):
        return []
    rows = [[example, f"`{entry['command']}`", entry["status"], entry.get("step"), _yes(entry.get("identical")),
             entry.get("mismatch") or entry.get("why") or ""]
            for example, entry in part["data"].items()]
    return ["### Stopped and resumed", "", *table(["example", "command", "status", "stopped after step",
                                                   "identical", "first difference / why"], rows), ""]


def bench(part: dict | None) -> list[str]:
    if not part or not part.get("data"):
        return []
    modes = ("deterministic", "deterministic, no fill", "default", "default, host threads")
    rows = []
    for example, entry in part["data"].items():
        per_step = entry.get("seconds_per_step") or {}
        ratios = entry.get("ratios") or {}
        rows.append([example, entry["status"],
                     *(f"{per_step[m] * 1000:.2f}" if m in per_step else "" for m in modes),
                     *(_ratio(ratios.get(what)) for what in ("determinism", "fill_uninitialized_memory")),
                     entry.get("why") or ""])
    command = next((entry["command"].split(" ", 1)[1] for entry in part["data"].values()), "")
    return ["### What determinism costs", "", f"`{command}` in an empty folder, MLF_IMAGE_EXAMPLE naming each "
            "example (docs/bench.md says what the modes are): milliseconds per step, the median over the repeats, "
            "and the ratios' median (lowest … highest).",
            "", *table(["example", "status", *(f"{m}, ms/step" for m in modes), "determinism",
                        "fill_uninitialized_memory", "why"], rows), ""]


def _ratio(ratio: dict | None) -> str:
    if not ratio:
        return ""
    return f"×{ratio['median']:.2f} (×{ratio['min']:.2f} … ×{ratio['max']:.2f})"
