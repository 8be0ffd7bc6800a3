"""Resume: `mlf verify --resume-at K` on each example — one uninterrupted run, one stopped after step K and resumed
from its checkpoint — and whether the two fingerprints are identical."""

from __future__ import annotations

from .context import Context
from .examples import EXAMPLES, RESUME_AT, flags, mlf_json, parameters


def run(ctx: Context) -> None:
    data = ctx.results["parts"][ctx.part]["data"]
    for example in EXAMPLES:
        step = RESUME_AT[ctx.options.quick][example]
        argv = ["verify", "--resume-at", str(step), *flags(parameters(example, ctx.options.quick))]
        entry = mlf_json(ctx, example, argv)
        result = entry.pop("result", None)
        entry["step"] = step
        if result:
            entry["identical"] = result["identical"]
            entry["fingerprints"] = [run["fingerprint"] for run in result["runs"]]
            entry["mismatch"] = (result["mismatch"] or {}).get("artifact")
        data[example] = entry
        ctx.save()
