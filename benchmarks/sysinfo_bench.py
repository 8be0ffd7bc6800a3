"""How long `mlf sysinfo` takes: medians of fresh processes, and the pieces that decided the design.

    .venv/bin/python benchmarks/sysinfo_bench.py [--runs 15] [--full-runs 3]

Prints one line per measurement (median, min and max in milliseconds over the runs). The results quoted in
docs/sysinfo.md ("Speed") come from this script on this project's machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

MLF = [sys.executable, "-m", "mlfcore.entrypoint.cli"]
ROOT = Path(__file__).resolve().parent.parent


def _time_process(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def _time_call(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    print(f"{label:<50} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f}   max {max(ms):8.1f}"
          f"   ({len(times)} runs)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--full-runs", type=int, default=3, help="runs of the slow default (frameworks imported)")
    args = parser.parse_args()

    _report("mlf --help (start-up, for reference)", _time_process([*MLF, "--help"], args.runs))
    _report("mlf sysinfo --format json --fast", _time_process([*MLF, "sysinfo", "--format", "json", "--fast"],
                                                                args.runs))
    _report("mlf sysinfo --key", _time_process([*MLF, "sysinfo", "--key"], args.runs))
    _report("mlf sysinfo --format json (frameworks asked)", _time_process([*MLF, "sysinfo", "--format", "json"],
                                                                            args.full_runs))

    from mlfcore.entrypoint import contract, sysinfo
    from mlfcore.entrypoint.sysinfo import cpu, gpu, packages

    _report("in-process: sysinfo.collect(fast=True)", _time_call(
        lambda: sysinfo.collect(contract.Settings(), fast=True), args.runs))
    _report("in-process: parse /proc/cpuinfo", _time_call(
        lambda: cpu.parse_cpuinfo(cpu.PROC_CPUINFO.read_text()), args.runs))
    import cpuinfo

    _report("in-process: py-cpuinfo get_cpu_info()", _time_call(cpuinfo.get_cpu_info, min(args.runs, 5)))
    _report("in-process: packages.installed()", _time_call(packages.installed, args.runs))
    _report("in-process: gpu.collect() (NVML)", _time_call(gpu.collect, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
