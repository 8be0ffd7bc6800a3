"""How mlf starts worker processes (the lint engine's pool, data hashing): one policy for both.

fork is the cheapest start, but forking a process that runs threads (a caller that imported torch, a rich progress
bar's refresh thread) can deadlock the child on a lock another thread held; then forkserver, else spawn.
"""

from __future__ import annotations

import threading


def context():
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
