"""Before and after lint/forked.py, in one run: the serial check, the fork-started ProcessPoolExecutor the engine
used before (kept here only to compare), and the engine's path now (forked processes sharing one counter, from a
process without threads), alternated on the same files.

    .venv/bin/python benchmarks/lint_pool_ab.py TREE [TREE ...]
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mlfcore.entrypoint.lint import engine, rules

ROUNDS = 7


def pool(items, ruleset, jobs=2):
    """The engine's parallel path before lint/forked.py."""
    order = sorted(range(len(items)), key=lambda i: engine._size(items[i][1]), reverse=True)
    chunk = max(1, min(8, len(order) // (jobs * 64)))
    results = [None] * len(items)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=engine._init,
                             initargs=(ruleset,)) as workers:
        for i, r in zip(order, workers.map(engine._check_in_worker, [items[i] for i in order], chunksize=chunk)):
            results[i] = r
    return results


def main(trees: list[str]) -> int:
    ruleset = rules.build()
    for tree in trees:
        items, _ = engine.discover([Path(tree)], Path(tree))
        times: dict[str, list[float]] = {"serial": [], "pool": [], "forked": []}
        for _ in range(ROUNDS):
            for name, action in (("serial", lambda: [engine.check_file(a, b, ruleset) for a, b in items]),
                                 ("pool", lambda: pool(items, ruleset)), ("forked", lambda: engine.check_each(items, ruleset, 2))):
                start = time.perf_counter()
                action()
                times[name].append(time.perf_counter() - start)
        m = {name: statistics.median(values) for name, values in times.items()}
        print(f"{Path(tree).name}: {len(items)} files; median of {ROUNDS} (s): serial {m['serial']:.3f}, "
              f"pool {m['pool']:.3f} ({m['serial'] / m['pool']:.2f}x), forked {m['forked']:.3f} "
              f"({m['serial'] / m['forked']:.2f}x); load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
