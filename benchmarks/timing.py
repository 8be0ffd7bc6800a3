"""Shared timing for the benchmarks: fresh processes, wall and CPU time, alternated so load hits each alike."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence


def process(command: Sequence[str], *, cwd: str | None = None, env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, children included) of one run; it must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(list(command), cwd=cwd, env=None if env is None else dict(env), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def alternate(commands: Mapping[str, Sequence[str]], runs: int, **kwargs) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each command, run in turn `runs` times (after one warm-up round)."""
    for command in commands.values():
        process(command, **kwargs)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(process(command, **kwargs))
    return {name: (statistics.median(s[0] for s in rows), statistics.median(s[1] for s in rows))
            for name, rows in samples.items()}


def call(function: Callable[[], object], runs: int, before: Callable[[], object] = lambda: None) -> float:
    """Median wall seconds of `function()` in this process; `before()` runs untimed ahead of each call."""
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} CPUs"
