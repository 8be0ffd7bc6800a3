"""A part's budget: a child that outruns it is stopped with its process group, and work the budget cannot start
is recorded as cut, never as done."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from benchmarks.gpu_proof import context, examples, lint_truth
from benchmarks.gpu_proof.cases import CASES
from benchmarks.gpu_proof.context import Context, Options


def _context(tmp_path: Path, budget: float) -> Context:
    options = Options(("lint",), {"lint": budget, "bench": budget}, 2, True, True, tmp_path / "GPU.md", False, None,
                      "python -m benchmarks.gpu_proof")
    return Context(options, {"parts": {}}, lambda: None, tmp_path)


def test_a_child_that_outruns_its_time_is_stopped_with_its_group(tmp_path):
    marker = tmp_path / "grandchild-lived"
    grandchild = tmp_path / "grandchild.py"
    grandchild.write_text(f"import pathlib, time\ntime.sleep(3)\npathlib.Path({str(marker)!r}).write_text('x')\n")
    # The child starts a grandchild in its group, which would write the marker after 3 s, then sleeps for 60 s.
    code = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, {str(grandchild)!r}])\ntime.sleep(60)\n"
    ran = context.run([sys.executable, "-c", code], cwd=tmp_path, env={}, timeout=1)
    assert ran.timed_out and ran.returncode is not None
    time.sleep(4)
    assert not marker.exists()


def test_a_part_whose_budget_is_spent_records_every_case_as_not_run_and_itself_as_cut(tmp_path):
    ctx = _context(tmp_path, budget=0.5)
    record = ctx.start("lint")
    crashed = lint_truth.execute(ctx, record, tmp_path / "cases.jsonl")
    assert crashed == {} and record["cut"] is True
    assert record["notes"] == [f"the budget ran out after 0 of {len(CASES)} cases"]


def test_an_mlf_command_the_budget_cannot_start_is_not_run_and_cuts_the_part(tmp_path):
    ctx = _context(tmp_path, budget=0.5)
    ctx.start("bench")
    entry = examples.mlf_json(ctx, "pytorch_digits", ["bench", "--steps", "10"])
    assert entry["status"] == "not run" and ctx.results["parts"]["bench"]["cut"] is True


FAKE_CHILD = """#!{python}
# Speaks the lint child's protocol; the first time it is started it dies inside its first case.
import json, pathlib, sys
args = sys.argv[1:]
out = args[args.index("--out") + 1]
first_time = not pathlib.Path(out + ".died").exists()
with open(out, "a") as stream:
    stream.write(json.dumps({{"event": "torch", "version": "fake"}}) + "\\n")
    for slug in args[args.index("--out") + 2:]:
        stream.write(json.dumps({{"event": "start", "case": slug}}) + "\\n")
        stream.flush()
        if first_time:
            pathlib.Path(out + ".died").write_text("")
            sys.exit(139)
        ran = {{"outcome": "runs", "message": "", "same_bits": True}}
        stream.write(json.dumps({{"event": "done", "case": slug, "on": ran, "off": ran, "seconds": 0}}) + "\\n")
"""


def test_a_case_that_kills_the_child_is_named_and_a_new_child_runs_the_rest(tmp_path):
    child = tmp_path / "python"
    child.write_text(FAKE_CHILD.format(python=sys.executable))
    child.chmod(0o755)
    ctx = _context(tmp_path, budget=300)
    ctx.python = str(child)
    record = ctx.start("lint")
    crashed = lint_truth.execute(ctx, record, tmp_path / "cases.jsonl")
    assert list(crashed) == [CASES[0].slug] and "exit 139" in crashed[CASES[0].slug]
    done, unfinished, _ = lint_truth.read_events(tmp_path / "cases.jsonl")
    assert set(done) == {case.slug for case in CASES[1:]} and unfinished is None and record["cut"] is False
