"""Benchmark `mlf lint` against bare `ast.parse` (the floor for an AST linter) and against torchdetscan.

    python benchmarks/lint_bench.py [TREE] [--repeat 3] [--torchdetscan /tmp/tds-venv/bin/torchdetscan] [--save F]
    python benchmarks/lint_bench.py --alternate [TREE ...] [--repeat 7]

--alternate measures, on each TREE (default: site-packages' sklearn, mlflow and torch/_dynamo), bare `ast.parse`,
the same with the garbage collector off, the check with 1 process and with one per core, in turn within each round (so a change in the machine's load hits
all three alike), net of start-up: the rule set is built once before the timing, the workers' start is counted (it
is part of every parallel run). It prints the median of each and the load average beside each round.

TREE defaults to the installed torch package's own sources (over a million lines). Every contender sees the same
files: those `mlf lint` discovers that Python can parse (see `mirror`). Reported: median wall time and CPU time over
--repeat runs, lines per second and lines per CPU second (the per-core cost, which other load on a shared machine
does not change). Not a timed test: run it when the machine is quiet and quote one run's figures."""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlfcore.entrypoint.lint import engine, lint_paths


def default_tree() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        raise SystemExit("torch is not installed: pass the tree to benchmark")
    return Path(spec.origin).parent


def bare_parse(files: list[str], collect: bool = True) -> int:
    """Read and parse every file, nothing else: the floor for an AST linter on one core. `collect=False` runs it
    with the cyclic garbage collector off, as mlf lint does while it parses (lint/engine.py)."""
    if not collect:
        gc.disable()
    try:
        return _parse_all(files)
    finally:
        gc.enable()


def _parse_all(files: list[str]) -> int:
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


def _cpu() -> float:
    """CPU seconds used so far by this process and its reaped children (pool workers, torchdetscan)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class Timing:
    """Median wall and CPU seconds over the repeats. On a shared machine the wall time of a parallel run depends
    on what else runs; CPU seconds per line is the per-core cost and does not."""

    def __init__(self, walls: list[float], cpus: list[float]) -> None:
        self.wall = statistics.median(walls)
        self.cpu = statistics.median(cpus)


def timed(action, repeat: int) -> tuple[Timing, object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        cpu, start = _cpu(), time.perf_counter()
        result = action()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return Timing(walls, cpus), result


def run_torchdetscan(executable: str, tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([executable, str(tree)], capture_output=True, text=True)


def site_trees() -> list[Path]:
    """Real projects of 100k+ lines from site-packages (what --alternate measures when no tree is given)."""
    import importlib.util

    trees = []
    for package in ("sklearn", "mlflow", "torch._dynamo"):
        spec = importlib.util.find_spec(package.split(".")[0])
        if spec is not None and spec.origin is not None:
            trees.append(Path(spec.origin).parent.joinpath(*package.split(".")[1:]))
    return trees


def alternate(trees: list[Path], repeat: int) -> int:
    from mlfcore.entrypoint.lint import rules

    ruleset = rules.build()
    cores = engine.cores()
    print(f"{cores} cores; median of {repeat} rounds, each round: bare ast.parse (collector on, off), check --jobs 1, "
          f"check --jobs {cores}")
    for tree in trees:
        items, _ = engine.discover([tree], tree)
        files = [path for _, path in items]
        lines = bare_parse(files)  # also warms the page cache
        runs: dict[str, list[tuple[float, float]]] = {"parse": [], "nogc": [], "jobs1": [], "jobsn": []}
        loads = []
        for _ in range(repeat):
            for name, action in (("parse", lambda: bare_parse(files)),
                                 ("nogc", lambda: bare_parse(files, collect=False)),
                                 ("jobs1", lambda: engine.check_files(items, ruleset, 1)),
                                 ("jobsn", lambda: engine.check_files(items, ruleset, cores))):
                cpu, start = _cpu(), time.perf_counter()
                action()
                runs[name].append((time.perf_counter() - start, _cpu() - cpu))
            loads.append(os.getloadavg()[0])
        wall = {name: statistics.median(w for w, _ in values) for name, values in runs.items()}
        cpu = {name: statistics.median(c for _, c in values) for name, values in runs.items()}
        print(f"{tree}: {len(files)} files, {lines:,} lines; load (1 min) after each round: "
              f"{', '.join(f'{x:.2f}' for x in loads)}")
        print(f"  wall s: parse {wall['parse']:.2f}, --jobs 1 {wall['jobs1']:.2f}, --jobs {cores} {wall['jobsn']:.2f}; "
              f"CPU s: {cpu['parse']:.2f}, {cpu['jobs1']:.2f}, {cpu['jobsn']:.2f}")
        print(f"  --jobs {cores} vs --jobs 1: {wall['jobs1'] / wall['jobsn']:.2f}x (wall; per round: "
              f"{', '.join(f'{a[0] / b[0]:.2f}' for a, b in zip(runs['jobs1'], runs['jobsn']))}); "
              f"check per core vs bare ast.parse: {cpu['parse'] / cpu['jobs1']:.0%} (--jobs 1), "
              f"{cpu['parse'] / cpu['jobsn']:.0%} (--jobs {cores}); against the parse with the collector off "
              f"(as mlf lint parses): {cpu['nogc'] / cpu['jobs1']:.0%} (--jobs 1)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="*", type=Path, default=None)
    parser.add_argument("--alternate", action="store_true",
                        help="--jobs 1 against one process per core on real projects, alternated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--torchdetscan", default=shutil.which("torchdetscan") or "/tmp/tds-venv/bin/torchdetscan")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--save", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    if args.alternate:
        return alternate(args.tree or site_trees(), args.repeat)
    if len(args.tree) > 1:
        parser.error("one TREE, except with --alternate")
    tree = args.tree[0] if args.tree else default_tree()
    cores = engine.cores()

    source_tree = tree
    tree, skipped = mirror(tree)
    try:
        return _measure(args, source_tree, tree, skipped, cores)
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def mirror(tree: Path) -> tuple[Path, list[str]]:
    """A folder of symlinks to the files of `tree` that Python can parse, and the ones left out. torchdetscan
    aborts its whole scan at the first file it cannot parse (torch 2.13 ships one in Python 3.12 syntax, which
    3.11 rejects), so every contender is given this same set. Parsing each file once here also warms the cache."""
    root = Path(tempfile.mkdtemp(prefix="lint-bench-"))
    items, _ = engine.discover([tree], tree)
    skipped = []
    for display, path in items:
        with open(path, "rb") as handle:
            source = handle.read()
        try:
            ast.parse(source)
        except (SyntaxError, ValueError):
            skipped.append(display)
            continue
        link = root / display
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.abspath(path), link)
    return root, skipped


def _measure(args, source_tree: Path, tree: Path, skipped: list[str], cores: int) -> int:
    items, _ = engine.discover([tree], tree)
    files = [path for _, path in items]
    figures: dict[str, object] = {"tree": str(source_tree), "files": len(files), "left_out": skipped,
                                  "cores": cores, "repeat": args.repeat,
                                  "python": sys.version.split()[0],
                                  "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}

    parse, lines = timed(lambda: bare_parse(files), args.repeat)
    nogc, _ = timed(lambda: bare_parse(files, collect=False), args.repeat)
    lint1, report = timed(lambda: lint_paths([tree], base=tree, jobs=1), args.repeat)
    lintn, report = timed(lambda: lint_paths([tree], base=tree, jobs=cores), args.repeat)
    figures["lines"] = lines
    for name, timing in (("bare_parse", parse), ("bare_parse_gc_off", nogc), ("lint_1_process", lint1),
                         (f"lint_{cores}_processes", lintn)):
        figures[name] = {"wall_s": timing.wall, "cpu_s": timing.cpu, "lines_per_s": lines / timing.wall,
                         "lines_per_cpu_s": lines / timing.cpu}
    figures["lint_per_core_vs_bare_parse"] = parse.cpu / lint1.cpu
    figures["lint_per_core_vs_bare_parse_with_pool"] = parse.cpu / lintn.cpu
    figures["lint_1_process_vs_bare_parse"] = parse.wall / lint1.wall
    figures["findings"] = {s: report.count(s) for s in ("error", "warning", "info")}
    tds = None
    if os.path.exists(args.torchdetscan):
        tds, completed = timed(lambda: run_torchdetscan(args.torchdetscan, tree), args.repeat)
        figures["torchdetscan"] = {"wall_s": tds.wall, "cpu_s": tds.cpu, "lines_per_s": lines / tds.wall,
                                   "lines_per_cpu_s": lines / tds.cpu, "exit_code": completed.returncode,
                                   "stderr_tail": completed.stderr.strip().splitlines()[-3:],
                                   "mlf_lint_wall_speedup": tds.wall / lintn.wall,
                                   "mlf_lint_cpu_ratio": tds.cpu / lintn.cpu}
    else:
        figures["torchdetscan"] = f"not found at {args.torchdetscan} (pip install torchdetscan in its own venv)"

    if args.save:
        args.save.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"tree: {source_tree}: {len(files)} files, {lines:,} lines (left out, not parseable by Python "
          f"{figures['python']}: {', '.join(skipped) or 'none'}); {cores} cores; median of {args.repeat}; "
          f"load average before: {figures['load_before']}")
    print(f"{'':28}{'wall s':>8}{'lines/s':>11}{'CPU s':>8}{'lines/CPU s':>13}")

    def row(label: str, timing: Timing) -> None:
        print(f"{label:28}{timing.wall:8.2f}{lines / timing.wall:11,.0f}{timing.cpu:8.2f}{lines / timing.cpu:13,.0f}")

    row("bare ast.parse", parse)
    row("bare ast.parse (gc off)", nogc)
    row("mlf lint --jobs 1", lint1)
    row(f"mlf lint --jobs {cores}", lintn)
    if tds is not None:
        row("torchdetscan", tds)
    # Per core is CPU against CPU. The --jobs N figure includes the workers' start (forking them, their first
    # page faults), a fixed cost that is a large share of a small tree's work: the two are shown apart.
    print(f"mlf lint per core (lines per CPU second) vs bare ast.parse: {parse.cpu / lint1.cpu:.0%} (--jobs 1), "
          f"{parse.cpu / lintn.cpu:.0%} (--jobs {cores}, the workers' start included)")
    if tds is not None:
        print(f"mlf lint vs torchdetscan: {tds.wall / lintn.wall:.2f}x faster (wall), "
              f"{tds.cpu / lintn.cpu:.2f}x less CPU")
    else:
        print(f"torchdetscan: {figures['torchdetscan']}")
    print(f"mlf lint findings: {figures['findings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
