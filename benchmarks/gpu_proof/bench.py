"""What determinism costs on the device: `mlf bench` on each example, at the examples' own defaults (the step
hook stops each run after the given steps)."""

from __future__ import annotations

from .context import Context
from .examples import EXAMPLES, mlf_json

# Full: 20 steps (the first is warm-up) in each of bench's four modes, twice. Quick: 10 steps, once.
STEPS_REPEATS = {False: (20, 2), True: (10, 1)}


def run(ctx: Context) -> None:
    data = ctx.results["parts"][ctx.part]["data"]
    steps, repeats = STEPS_REPEATS[ctx.options.quick]
    for example in EXAMPLES:
        entry = mlf_json(ctx, example, ["bench", "--steps", str(steps), "--repeats", str(repeats)])
        result = entry.pop("result", None)
        if result:
            entry["seconds_per_step"] = result["seconds_per_step"]
            entry["ratios"] = result["ratios"]
        data[example] = entry
        ctx.save()
