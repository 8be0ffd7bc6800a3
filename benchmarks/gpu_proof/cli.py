"""`python -m benchmarks.gpu_proof` (`make gpu-proof`): the GPU proof in one command, written to docs/GPU.md.

    python -m benchmarks.gpu_proof [--parts machine,lint,determinism,resume,bench] [--quick] [--runs 5]
        [--budget PART=SECONDS ...] [--output docs/GPU.md] [--fresh] [--commit SHA] [--fake-device]

Exit codes: 0 every selected part ran to its end and found nothing; 1 the report is written and something was found
(runs under the contract that differ, a lint-table mismatch or unchecked case, a part cut by its budget or broken);
2 bad usage, an unreadable earlier result, or no GPU to prove anything on (said at once, nothing written).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import bench, determinism, lint_truth, machine, resume, results
from .context import BUDGETS, ROOT, Context, Options

# Part → what runs it; context.BUDGETS gives each its default time budget and their order.
PARTS = {"machine": machine.run, "lint": lint_truth.run, "determinism": determinism.run, "resume": resume.run,
         "bench": bench.run}
DEFAULT_OUTPUT = ROOT / "docs" / "GPU.md"


class Refused(Exception):
    """Bad usage or nothing to prove on: exit 2 with this message, nothing written."""


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="python -m benchmarks.gpu_proof", description=__doc__.splitlines()[0])
    made.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    made.add_argument("--quick", action="store_true", help="2 runs, fewer epochs and bench steps: for a rerun")
    made.add_argument("--runs", type=int, default=5, help="trainings per example and mode (at least 2)")
    made.add_argument("--budget", action="append", default=[], metavar="PART=SECONDS",
                      help="another time budget for one part (repeatable)")
    made.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the report (its .json beside it)")
    made.add_argument("--fresh", action="store_true", help="start over instead of keeping the other parts' results")
    made.add_argument("--commit", help="the commit the tree was copied from, where it has no git history")
    made.add_argument("--fake-device", action="store_true",
                      help="run on the CPU to test the plumbing; needs --output elsewhere than docs/GPU.md")
    return made


def options(argv: list[str]) -> Options:
    args = parser().parse_args(argv)
    parts = tuple(part.strip() for part in args.parts.split(",") if part.strip())
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise Refused(f"--parts {args.parts!r}: unknown part {', '.join(unknown) or '(none given)'}; "
                      f"the parts are {', '.join(PARTS)}")
    if args.runs < 2:
        raise Refused(f"--runs {args.runs}: at least 2 runs are needed to compare fingerprints")
    budgets = {name: float(seconds) for name, seconds in BUDGETS.items()}
    for item in args.budget:
        name, _, seconds = item.partition("=")
        try:
            value = float(seconds)
        except ValueError:
            value = -1.0
        if name not in PARTS or not 0 < value <= 3600:
            raise Refused(f"--budget {item!r}: give PART=SECONDS, a part of {', '.join(PARTS)} and 1 to 3600 s")
        budgets[name] = value
    output = args.output.resolve()
    if args.fake_device and output == DEFAULT_OUTPUT.resolve():
        raise Refused("--fake-device runs on the CPU and must not replace docs/GPU.md: give --output elsewhere")
    order = tuple(part for part in PARTS if part in parts)
    return Options(order, budgets, args.runs, args.quick, args.fake_device, output, args.fresh, args.commit,
                   shlex.join(["python", "-m", "benchmarks.gpu_proof", *_without_output(argv)]))


def _without_output(argv: list[str]) -> list[str]:
    """The arguments that decide the figures: where the report goes does not (and on the GPU machine it is a
    folder of that machine's, which the report must not name)."""
    kept, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == "--output":
            skip = True
        elif not item.startswith("--output="):
            kept.append(item)
    return kept


def commit(given: str | None) -> str | None:
    """The tree's commit (with "+ changes" when it is dirty), else what --commit says, else None."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True)
    except OSError:
        return given
    if head.returncode != 0:
        return given
    return head.stdout.strip() + (" + changes" if dirty.stdout.strip() else "")


def run_part(ctx: Context, name: str) -> None:
    record = ctx.start(name)
    facts = ctx.results["probe"]
    record.update(started=time.strftime("%Y-%m-%d %H:%M", time.gmtime()), command=ctx.options.command,
                  commit=commit(ctx.options.commit), host=machine.host(facts))
    ctx.log(f"gpu-proof: {name} (budget {ctx.options.budgets[name]:.0f} s)")
    started = time.monotonic()
    try:
        PARTS[name](ctx)
        record["status"] = "cut" if record.pop("cut") else "done"
    except Exception:  # one part broken must not cost the others their turn: the traceback goes in its record
        record.pop("cut", None)
        record["status"] = "failed"
        record["notes"].append("broke: " + " | ".join(traceback.format_exc().strip().splitlines()[-3:]))
    record["seconds"] = round(time.monotonic() - started, 1)
    ctx.save()
    ctx.log(f"gpu-proof: {name}: {record['status']} in {record['seconds']:.0f} s")


def main(argv: list[str] | None = None) -> int:
    from mlfcore.entrypoint.errors import UsageError
    from mlfcore.entrypoint.files import check_target

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        chosen = options(argv)
        for target in (chosen.output, results.json_path(chosen.output)):
            check_target(target)
        earlier, note = results.load(chosen.output, chosen.fake_device, chosen.fresh)
        facts = machine.probe(sys.executable, chosen.fake_device)
        reason = None if chosen.fake_device else machine.refusal(facts)
        if reason:
            raise Refused(reason)
    except (Refused, UsageError) as failure:
        hint = getattr(failure, "hint", None)
        print(f"gpu-proof: error: {failure}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        return 2
    earlier["probe"] = facts
    with tempfile.TemporaryDirectory(prefix="mlf-gpu-proof-") as scratch:
        ctx = Context(chosen, earlier, lambda: results.save(earlier, chosen.output), Path(scratch))
        if note:
            ctx.log(f"gpu-proof: {note}")
        for name in chosen.parts:
            run_part(ctx, name)
    from .verdict import findings

    found = findings(earlier, chosen.parts)
    for line in found:
        ctx.log(f"gpu-proof: found: {line}")
    ctx.log(f"gpu-proof: wrote {chosen.output} and {results.json_path(chosen.output).name}")
    return 1 if found else 0
