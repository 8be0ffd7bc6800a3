"""The two bundled PyTorch examples the proof trains, and how it runs `mlf` on them.

Each `mlf` command runs in a fresh, empty project folder with `MLF_IMAGE_EXAMPLE` naming the example, as the
PyTorch image runs it with nothing mounted; the folder keeps the command's own MLflow store. `--quick` trains less
(fewer epochs and images) so a second call on the GPU machine fits in what is left of its time.
"""

from __future__ import annotations

import json
import shlex

from .context import Context, Ran, mlf_command, plain_environment

EXAMPLES = ("pytorch_digits", "unet_segmentation")
# The examples' own defaults are what a user trains: nothing is passed. Quick: one epoch of digits (22 steps);
# two epochs of the U-Net on 64 images (8 steps).
QUICK = {"pytorch_digits": {"epochs": "1"}, "unet_segmentation": {"epochs": "2", "images": "64"}}
# Where `verify --resume-at` stops: mid-epoch, past the first epoch where the run has more than one (digits has
# 22 steps an epoch, the U-Net 12 at its defaults).
RESUME_AT = {False: {"pytorch_digits": 30, "unet_segmentation": 30}, True: {"pytorch_digits": 10,
                                                                            "unet_segmentation": 5}}


def parameters(example: str, quick: bool) -> dict[str, str]:
    return dict(QUICK[example]) if quick else {}


def shown(example: str, argv: list[str]) -> str:
    """The command as a person would type it in an empty folder."""
    return f"MLF_IMAGE_EXAMPLE={example} mlf {shlex.join(argv)}"


def mlf_json(ctx: Context, example: str, argv: list[str], share: float = 1.0) -> dict:
    """Run `mlf ARGV --json` on `example` in a fresh project; its summary, or why there is none.

    status: "done" (the command printed its summary, whatever its exit code said of the result), "cut" (the
    budget, or its `share` of it, ran out), "failed" (no summary: the command broke)."""
    entry = {"command": shown(example, argv), "status": "not run", "result": None}
    if not ctx.enough():
        entry["why"] = "the part's budget was spent before it could start"
        ctx.results["parts"][ctx.part]["cut"] = True
        return entry
    folder = ctx.scratch / f"{ctx.part}-{example}-{len(list(ctx.scratch.glob(f'{ctx.part}-{example}-*')))}"
    folder.mkdir(parents=True)
    env = {**plain_environment(ctx.options.fake_device), "MLF_IMAGE_EXAMPLE": example}
    ran = ctx.run([*mlf_command(), *argv, str(folder), "--json"], cwd=folder, env=env, share=share)
    entry.update(exit=ran.returncode, wall=round(ran.seconds, 1))
    return _judged(ctx, entry, ran)


def _judged(ctx: Context, entry: dict, ran: Ran) -> dict:
    if ran.timed_out:
        ctx.results["parts"][ctx.part]["cut"] = True
        entry.update(status="cut", why=f"stopped by the budget after {ran.seconds:.0f} s: {ran.tail(2)}")
        return entry
    try:
        entry["result"] = json.loads(ran.stdout)
        entry["status"] = "done"
    except ValueError:
        entry.update(status="failed", why=f"exit {ran.returncode}, no summary: {ran.tail()}")
    return entry


def flags(values: dict[str, str]) -> list[str]:
    """`-P name=value` for mlf."""
    return [item for name, value in values.items() for item in ("-P", f"{name}={value}")]
