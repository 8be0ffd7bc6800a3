"""`make bench`: every performance figure of docs/PERFORMANCE.md, measured in one run, and the file written.

    python -m benchmarks.perf_report [--runs 7] [--hash-gb 4.2] [--hash-files 10000] [--out docs/PERFORMANCE.md]

Each section is measured side by side with its floor (alternated fresh processes), with the load average next to
it: the figures are only comparable within one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from . import bench_hash, bench_images, bench_startup, bench_train, installed, timing

ROOT = Path(__file__).resolve().parent.parent
# What follows this line in the output file is written by hand (what the figures mean, profiles) and kept.
ANALYSIS = "<!-- analysis: written by hand about the figures above; make bench keeps it -->"


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return [f"- {cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB memory; {platform.platform()}; Python "
            f"{platform.python_version()}; commit {commit or 'unknown'}; measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            f"- {timing.load()} at the start. Wall times move with the load of other work on the machine; "
            "CPU times (user + system of the process and its children) much less."]


def section(title: str, command: str, body: list[str]) -> list[str]:
    return [f"## {title}", "", f"`{command}` (one run, {timing.load()} when it ended)", "", *body, ""]


def lint_throughput(repeat: int) -> list[str]:
    import importlib.util

    spec = importlib.util.find_spec("torch")
    tree = Path(spec.origin).parent / "nn" if spec and spec.origin else None
    if tree is None:
        return ["torch is not installed: no tree to lint."]
    with installed.torchdetscan() as script:
        extra = ["--torchdetscan", script] if script else []
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lint_bench.py"), str(tree), "--repeat",
                               str(repeat), *extra], capture_output=True, text=True, cwd=ROOT)
    text = (done.stdout.strip() or done.stderr.strip()[-2000:]).replace(str(tree.parent.parent), "<site-packages>")
    return ["```", *text.splitlines(), "```"]


def lint_parallel(repeat: int) -> list[str]:
    """`--jobs 1` against one process per core on the 50k+-line trees at hand (goal: 1.6x on 2 cores), alternated
    round by round so both see the same load; torch/nn (49k lines) rides along as the smallest."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import lint_bench

    site = Path(sysconfig.get_paths()["purelib"])  # where the measured packages are installed
    trees = lint_bench.site_trees() + [tree for tree in [site / "torch" / "nn"] if tree.is_dir()]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lint_bench.py"), "--alternate", "--repeat",
                           str(repeat), *map(str, trees)], capture_output=True, text=True, cwd=ROOT)
    text = done.stdout.strip() or done.stderr.strip()[-2000:]
    return ["```", *text.replace(str(site), "<site-packages>").splitlines(), "```"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--hash-gb", type=float, default=4.2)
    parser.add_argument("--hash-files", type=int, default=10000)
    parser.add_argument("--cold-runs", type=int, default=1)
    parser.add_argument("--scratch", default=None, help="folder for the hashing data (default: the temp folder)")
    parser.add_argument("--skip", action="append", default=[], help="start, prerun, lint, lint-jobs, sysinfo, "
                                                                     "hash, train, images")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    args = parser.parse_args(argv)
    previous = args.out.read_text() if args.out.is_file() else ""
    kept = previous[previous.index(ANALYSIS):] if ANALYSIS in previous else ""
    parts = ["# Performance", "", "Written by `make bench` (`python -m benchmarks.perf_report`); every figure below "
             "comes from the one run described here.", "", *machine(),
             "- Fresh-process rows run mlf installed from its runtime wheel, byte-compiled, as the images install it "
             "(benchmarks/installed.py), not this editable checkout.", ""]
    with installed.venv() as (python, _):
        return _measure(args, parts, kept, python)


def _measure(args, parts: list[str], kept: str, python: str) -> int:
    """Each section in turn; `python` is the venv with mlf installed as the images install it (installed.py)."""
    runs = args.runs
    plan = [
        ("start", "Start-up of `mlf run`", "python -m benchmarks.perf_report (bench_startup.run_overhead)",
         lambda: bench_startup.run_overhead(runs, python)),
        ("prerun", "Pre-run lint plus sysinfo on a 5,000-line project (goal: under 300 ms)",
         "python -m benchmarks.perf_report (bench_startup.pre_run)", lambda: bench_startup.pre_run(runs, python)),
        ("lint", "Lint throughput against bare ast.parse (torch/nn as the tree)",
         "python benchmarks/lint_bench.py <torch>/nn --repeat 3", lambda: lint_throughput(3)),
        ("lint-jobs", "`mlf lint --jobs 2` against `--jobs 1` on trees of 50,000+ lines (goal: 1.6x)",
         "python benchmarks/lint_bench.py --alternate --repeat 5 <sklearn> <mlflow> <torch/_dynamo> <torch/nn>",
         lambda: lint_parallel(5)),
        ("sysinfo", "`mlf sysinfo` and `mlf sysinfo --fast`", "python -m benchmarks.perf_report "
         "(bench_startup.sysinfo_speed)", lambda: bench_startup.sysinfo_speed(max(3, runs // 2), python)),
        ("hash", "Data hashing", f"python -m benchmarks.perf_report --hash-gb {args.hash_gb} --hash-files "
         f"{args.hash_files}", lambda: bench_hash.report(args.hash_gb, args.hash_files, 3, args.cold_runs,
                                                         args.scratch)),
        ("train", "What `mlf train` adds to the training command: warm local store, first run, loopback tracking "
         "server (goals: 1.0 s, 2.0 s, 1.5 s)", "python -m benchmarks.bench_train (bench_train.report)",
         lambda: bench_train.report(max(5, runs), python)),
        ("images", "Image sizes and project rebuild", "python -m benchmarks.perf_report (bench_images)",
         _images),
    ]
    for key, title, command, measure in plan:
        if key in args.skip:
            continue
        print(f"measuring: {title} ({timing.load()})", file=sys.stderr, flush=True)
        parts += section(title, command, measure())
        # After each section: a long run keeps what it measured.
        args.out.write_text("\n".join(parts) + "\n" + (f"\n{kept}" if kept else ""))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _images() -> list[str]:
    try:
        lines = bench_images.sizes()
        bases = [line.split("`")[1] for line in lines[2:] if "/pytorch:" in line] or \
                [line.split("`")[1] for line in lines[2:]]
        return lines + [""] + (bench_images.rebuild(bases[0]) if bases else ["No mlfcore image on this engine."])
    except (OSError, subprocess.CalledProcessError) as err:
        return [f"No Docker engine answered: {err}"]


if __name__ == "__main__":
    sys.exit(main())
