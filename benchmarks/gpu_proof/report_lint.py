"""docs/GPU.md's lint-truth section: the table's verdicts against what torch did on the device."""

from __future__ import annotations

from .lint_truth import AGREES, MISMATCH, UNCHECKED, summary
from .report import table


def _ran(entry: dict | None) -> tuple[str, str]:
    """(outcome, same bits) of one mode."""
    if not entry:
        return "not run", ""
    same = {True: "same", False: "**differ**", None: ""}[entry.get("same_bits")]
    return entry["outcome"], same


def _table_line(info: dict) -> str:
    if info["exact"]:
        return f"the torch {info['table']} table, torch {info['torch']}'s own"
    return (f"the torch {info['table']} table. torch {info['torch']} has no table of its own (tables: "
            f"{', '.join(info['known'])}): the nearest is used, so a mismatch may be a change between versions")


def section(data: dict) -> list[str]:
    counts = summary(data)
    rows = data["cases"]
    fake = data["device"] == "cpu"
    device = "the CPU (fake device)" if fake else f"{data.get('device_name') or 'the GPU'} (cuda:0)"
    return ["## Lint truth", "",
            "Every case below is a small program using one op the torch rule table names.", "",
            f"- Compared with {_table_line(data['table'])}.",
            f"- Linted for {'the CPU' if fake else 'CUDA'}; run on {device}, torch {data.get('torch_in_child')}.",
            "- Each case ran twice under `torch.use_deterministic_algorithms(True)` with cuDNN's deterministic "
            "switch, then twice with both off, from the same seed each time.", "",
            f"**{counts[AGREES]} agree, {counts[MISMATCH]} mismatch, {counts[UNCHECKED]} could not be checked**, "
            f"of {len(rows)} cases.", "", *_named(rows), *_mismatches(rows), *_every(rows)]


def _named(rows: list[dict]) -> list[str]:
    named = [row for row in rows if row["named"]]
    body = [[row["case"], row["basis"], row["expects"], *_ran(row["on"]), row["verdict"]] for row in named]
    return ["### The behaviours only CUDA shows", "",
            "Float `cumsum`, the `ReflectionPad2d` backward and `nll_loss` on 2-D against 4-D input: the table's "
            "claims about them could not be checked on a CPU.", "",
            *table(["case", "lint says", "table expects", "under the switch", "bits", "verdict"], body), ""]


def _mismatches(rows: list[dict]) -> list[str]:
    found = [f"- **{row['case']}** (`{row['rule']}`, {row['verdict']}): {row['why']}"
             for row in rows if row["verdict"] != AGREES]
    return ["### Mismatches and unchecked cases", "", *(found or ["None."]), ""]


def _every(rows: list[dict]) -> list[str]:
    body = [[row["case"], f"`{row['rule']}`", row["basis"], row["expects"], *_ran(row["on"]), *_ran(row["off"]),
             row["verdict"]] for row in rows]
    return ["### Every case", "",
            *table(["case", "rule", "lint says", "table expects", "switch on", "bits", "switch off", "bits",
                    "verdict"], body), ""]
