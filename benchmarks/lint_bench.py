"""Benchmark `mlf lint` against bare `ast.parse` (the floor for an AST linter) and against torchdetscan.

    python benchmarks/lint_bench.py [TREE] [--repeat 3] [--torchdetscan /tmp/tds-venv/bin/torchdetscan]

TREE defaults to the installed torch package's own sources (over a million lines). Every contender sees the same
files: the list `mlf lint` discovers. Reported: median wall time over --repeat runs, lines per second, and lines per
second per core. Not a timed test: the machine is shared, so run it when it is quiet and quote one run's figures.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from mlfcore.entrypoint.lint import engine, lint_paths


def default_tree() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        raise SystemExit("torch is not installed: pass the tree to benchmark")
    return Path(spec.origin).parent


def bare_parse(files: list[str]) -> int:
    """Read and parse every file, nothing else: the floor an AST linter cannot beat on one core."""
    lines = 0
    for path in files:
        with open(path, "rb") as handle:
            source = handle.read()
        lines += source.count(b"\n")
        try:
            ast.parse(source)
        except (SyntaxError, ValueError):
            pass
    return lines


def timed(action, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run_torchdetscan(executable: str, tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([executable, str(tree)], capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--torchdetscan", default=shutil.which("torchdetscan") or "/tmp/tds-venv/bin/torchdetscan")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    tree = args.tree or default_tree()
    cores = engine.cores()

    items, _ = engine.discover([tree], tree)
    files = [path for _, path in items]
    figures: dict[str, object] = {"tree": str(tree), "files": len(files), "cores": cores, "repeat": args.repeat,
                                  "python": sys.version.split()[0]}

    parse_s, lines = timed(lambda: bare_parse(files), args.repeat)
    figures["lines"] = lines
    figures["bare_parse"] = {"seconds": parse_s, "lines_per_s": lines / parse_s}

    lint1_s, report = timed(lambda: lint_paths([tree], base=tree, jobs=1), args.repeat)
    figures["lint_1_process"] = {"seconds": lint1_s, "lines_per_s": report.lines / lint1_s,
                                 "vs_bare_parse": parse_s / lint1_s}
    lintn_s, report = timed(lambda: lint_paths([tree], base=tree, jobs=cores), args.repeat)
    figures[f"lint_{cores}_processes"] = {"seconds": lintn_s, "lines_per_s": report.lines / lintn_s,
                                          "lines_per_s_per_core": report.lines / lintn_s / cores,
                                          "per_core_vs_bare_parse": (report.lines / lintn_s / cores)
                                          / (lines / parse_s)}
    figures["findings"] = {s: report.count(s) for s in ("error", "warning", "info")}

    if os.path.exists(args.torchdetscan):
        tds_s, completed = timed(lambda: run_torchdetscan(args.torchdetscan, tree), args.repeat)
        figures["torchdetscan"] = {"seconds": tds_s, "lines_per_s": lines / tds_s, "exit_code": completed.returncode,
                                   "output_lines": len(completed.stdout.splitlines()),
                                   "stderr_tail": completed.stderr.strip().splitlines()[-3:],
                                   "mlf_lint_speedup": tds_s / lintn_s}
    else:
        figures["torchdetscan"] = f"not found at {args.torchdetscan} (pip install torchdetscan in its own venv)"

    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"tree: {tree} — {len(files)} files, {lines} lines, {cores} cores, median of {args.repeat}")
    print(f"bare ast.parse, 1 process : {parse_s:7.2f} s  {lines / parse_s:10,.0f} lines/s")
    print(f"mlf lint, 1 process       : {lint1_s:7.2f} s  {report.lines / lint1_s:10,.0f} lines/s "
          f"({parse_s / lint1_s:.0%} of bare parse)")
    per_core = report.lines / lintn_s / cores
    print(f"mlf lint, {cores} processes     : {lintn_s:7.2f} s  {report.lines / lintn_s:10,.0f} lines/s, "
          f"{per_core:,.0f} per core ({per_core / (lines / parse_s):.0%} of bare parse per core)")
    tds = figures["torchdetscan"]
    if isinstance(tds, dict):
        print(f"torchdetscan              : {tds['seconds']:7.2f} s  {tds['lines_per_s']:10,.0f} lines/s "
              f"(exit {tds['exit_code']}; mlf lint is {tds['mlf_lint_speedup']:.1f}x faster)")
    else:
        print(f"torchdetscan              : {tds}")
    print(f"mlf lint findings: {figures['findings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
