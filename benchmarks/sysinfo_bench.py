"""How long `mlf sysinfo` takes: medians of fresh processes, and the pieces that decided the design.

    .venv/bin/python benchmarks/sysinfo_bench.py [--runs 15] [--full-runs 3]

Prints one line per measurement (median, min and max in milliseconds over the runs). The results quoted in
docs/sysinfo.md ("Speed") come from this script on this project's machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

MLF = [sys.executable, "-m", "mlfcore.entrypoint.cli"]
ROOT = Path(__file__).resolve().parent.parent


def _time_process(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of each run. CPU time hardly moves when other work shares the
    machine; wall-clock time does, so both are reported."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def _time_call(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, times: list[float] | tuple[list[float], list[float]]) -> None:
    times, cpu = times if isinstance(times, tuple) else (times, None)
    ms = [t * 1000 for t in times]
    line = (f"{label:<46} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f}   max {max(ms):8.1f}"
            f"   ({len(times)} runs)")
    if cpu:
        line += f"   CPU median {statistics.median(cpu) * 1000:7.1f} ms"
    print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--full-runs", type=int, default=3, help="runs of the slow default (frameworks imported)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)

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
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
