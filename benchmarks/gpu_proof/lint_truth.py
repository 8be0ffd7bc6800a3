"""Lint truth: what the torch rule table says of each case, against what torch does with it on the device.

The table's verdict is the real linter's: each case's program is linted with the table picked for the installed
torch (the newest table not newer than it, else the oldest: the nearest one when there is none for that version),
for the device it runs on. An `error` or `warning` finding says it raises under the switch; an `info` finding or
none says it runs, and gives the same bits twice. A rule the table marks as not linted (it has no match) speaks by
its severity alone. Then the child (lint_child.py) runs every case under the contract's switches and without them.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from .cases import CASES, Case
from .context import ROOT, Context

RAISES, RUNS = "raises", "runs"
AGREES, MISMATCH, UNCHECKED = "agrees", "mismatch", "unchecked"


def table_for(installed: str | None) -> dict:
    """The torch table the proof compares with, and whether it is the installed version's own."""
    from mlfcore.entrypoint.lint import tables

    chosen = tables.pick("torch", installed)
    own = installed is not None and tables.version_key(installed)[:2] == tables.version_key(chosen)[:2]
    return {"table": chosen, "torch": installed, "exact": own, "known": tables.versions("torch")}


def predictions(table: str, device: str, folder: Path) -> dict[str, dict]:
    """Per case: the findings the linter makes on its program and what they say torch will do."""
    from mlfcore.entrypoint.lint import lint_paths

    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / f"{case.slug}.py").write_text(case.code, encoding="utf-8")
    report = lint_paths([folder], base=folder, versions={"torch": table}, select=["torch"]).for_device(device)
    found: dict[str, list] = {}
    for finding in report.findings:
        found.setdefault(Path(finding.path).stem, []).append(finding)
    said = {}
    for case in CASES:
        rule = report.rules[case.rule]
        findings = found.get(case.slug, [])
        if rule.matches:
            severity = max((f.severity for f in findings), key=("info", "warning", "error").index, default=None)
            basis = ", ".join(sorted({f"{f.rule} ({f.severity})" for f in findings})) or "no finding"
        else:
            severity, basis = rule.severity, f"{rule.id} ({rule.severity}; a rule the table does not lint)"
        said[case.slug] = {"expects": RAISES if severity in ("error", "warning") else RUNS, "basis": basis,
                           "fired": sorted({f.rule for f in findings})}
    return said


def compare(expects: str, on: dict | None) -> tuple[str, str]:
    """(verdict, why) for one case: what the table expects against what the case did under the switch."""
    if on is None or on["outcome"] not in (RAISES, "warns", RUNS):
        return UNCHECKED, (on or {}).get("message") or "the case did not run"
    outcome, message, same = on["outcome"], on["message"], on["same_bits"]
    if outcome == "warns":
        return MISMATCH, f"torch only warned under the switch: {message}"
    if expects == RAISES:
        if outcome == RAISES:
            return AGREES, ""
        bits = "the same bits twice" if same else "different bits in two runs"
        return MISMATCH, f"the table says it raises; it ran, with {bits}"
    if outcome == RAISES:
        return MISMATCH, f"the table says it runs; it raised: {message}"
    if same is False:
        return MISMATCH, "the table says it runs deterministically; two runs gave different bits"
    return AGREES, ""


def read_events(path: Path) -> tuple[dict, str | None, str | None]:
    """The child's lines: finished cases by slug, the case it started last without finishing, torch's version."""
    done, started, version = {}, None, None
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event["event"] == "torch":
                version = event["version"]
            elif event["event"] == "start":
                started = event["case"]
            else:
                done[event["case"]] = event
    return done, (started if started not in done else None), version


def execute(ctx: Context, record: dict, out: Path) -> dict[str, str]:
    """Run every case in children, a new child after one dies, until all ran or the budget is spent; the cases
    that killed a child, with what it said."""
    from mlfcore.entrypoint import contract

    from .context import plain_environment

    env = contract.child_environment(contract.Settings(), plain_environment(ctx.options.fake_device))
    crashed: dict[str, str] = {}
    while True:
        done, _, _ = read_events(out)
        todo = [c.slug for c in CASES if c.slug not in done and c.slug not in crashed]
        if not todo:
            return crashed
        if not ctx.enough():
            break
        before = len(done)
        ran = ctx.run([ctx.python, "-m", "benchmarks.gpu_proof.lint_child", "--device", ctx.options.device,
                       "--out", str(out), *todo], cwd=ROOT, env=env)
        done, unfinished, _ = read_events(out)
        if ran.timed_out:
            break
        if ran.returncode != 0 and (unfinished or len(done) == before):
            # Died inside a case, or before its first one: that case is the victim. (After a case that met a
            # CUDA error the child ends on purpose, that case written: a new child takes the rest.)
            crashed[unfinished or todo[0]] = f"the child died (exit {ran.returncode}) in this case: {ran.tail(3)}"
    record["cut"] = True
    record["notes"].append(f"the budget ran out after {len(read_events(out)[0])} of {len(CASES)} cases")
    return crashed


def run(ctx: Context) -> None:
    record = ctx.results["parts"][ctx.part]
    data = record["data"]
    try:
        installed = metadata.version("torch")
    except metadata.PackageNotFoundError:
        installed = None
    data["table"] = table_for(installed)
    data["device"] = ctx.options.device
    devices = ctx.results.get("probe", {}).get("devices") or []
    data["device_name"] = devices[0]["name"] if devices and not ctx.options.fake_device else None
    said = predictions(data["table"]["table"], "cpu" if ctx.options.fake_device else "cuda", ctx.scratch / "cases")
    out = ctx.scratch / "lint-cases.jsonl"
    crashed = execute(ctx, record, out)
    done, _, version = read_events(out)
    data["torch_in_child"] = version
    data["cases"] = [_row(case, said[case.slug], done.get(case.slug), crashed.get(case.slug)) for case in CASES]
    ctx.save()


def _row(case: Case, said: dict, done: dict | None, crash: str | None) -> dict:
    on = done["on"] if done else ({"outcome": "crashed", "message": crash, "same_bits": None} if crash else None)
    verdict, why = compare(said["expects"], on)
    return {"case": case.name, "slug": case.slug, "rule": case.rule, "named": case.named, **said,
            "on": on, "off": done["off"] if done else None, "seconds": done["seconds"] if done else None,
            "verdict": verdict, "why": why}


def summary(data: dict) -> dict[str, int]:
    counts = {AGREES: 0, MISMATCH: 0, UNCHECKED: 0}
    for row in data.get("cases", []):
        counts[row["verdict"]] += 1
    return counts
