"""Check files on several cores by fork: this process works too, and every process takes the next file itself.

Why not a pool. `ProcessPoolExecutor` left this process idle while its workers checked, queued one chunk beyond
the workers (each worker waited for this process to be scheduled between chunks: 0.2-0.4 s idle in a 1.6-2.0 s
check of scikit-learn under load, docs/lint.md) and started its workers through a management thread. Here
`jobs - 1` children are forked once the rule set is built; every process, this one included, takes the next
position from one counter in shared memory under one lock (a few µs a file), so a core that another program slows
simply takes fewer files. A child sends its results through a pipe when it is done. Whatever a child did not
deliver (killed, out of memory) is checked here afterwards, so a lost child costs time, never findings.

Forking is only safe with one thread (a lock another thread held stays held in the child): the caller decides
(processes.context()), and falls back to a process pool otherwise.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
from typing import Callable, Sequence

_COUNTER = struct.Struct("=q")
_MISSING = object()  # a result no process delivered


def check(items: Sequence, order: Sequence[int], work: Callable, jobs: int) -> list:
    """`work(items[i])` for every i, in `items`' order, computed by this process and `jobs - 1` forked children,
    which take positions of `order` (largest files first) as they become free."""
    import multiprocessing

    lock = multiprocessing.get_context("fork").Lock()
    counter = mmap.mmap(-1, _COUNTER.size)  # anonymous and MAP_SHARED: one counter for every process

    def take() -> int:
        with lock:
            position = _COUNTER.unpack_from(counter)[0]
            _COUNTER.pack_into(counter, 0, position + 1)
        return position

    def run() -> dict[int, object]:
        done: dict[int, object] = {}
        while (position := take()) < len(order):
            index = order[position]
            done[index] = work(items[index])
        return done

    children: list[tuple[int, int | None]] = []  # (pid, read end of its pipe until a reader owns it)
    results: list = [_MISSING] * len(items)
    try:
        for _ in range(jobs - 1):
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process to spare (EAGAIN, ENOMEM): the processes started so far do the work
                os.close(read_end)
                os.close(write_end)
                break
            if pid == 0:  # the child: check, send, and leave without running the parent's exit handlers
                status = 1
                try:
                    os.close(read_end)
                    # The parent's handlers (mlf's SIGTERM forwarding, Python's KeyboardInterrupt) are not the
                    # child's: Ctrl-C or a SIGTERM to the group ends the child, and the parent cleans up.
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    payload = pickle.dumps(run(), protocol=pickle.HIGHEST_PROTOCOL)
                    with os.fdopen(write_end, "wb") as pipe:
                        pipe.write(payload)
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            children.append((pid, read_end))
        for index, result in run().items():
            results[index] = result
        while children:
            pid, read_end = children[0]
            pipe = os.fdopen(read_end, "rb")
            children[0] = (pid, None)  # the reader closes it, even when interrupted
            with pipe:
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            if status == 0:
                for index, result in pickle.loads(payload).items():
                    results[index] = result
    finally:
        for pid, read_end in children:  # interrupted (Ctrl-C, an error here): no child outlives the check
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            if read_end is not None:
                os.close(read_end)
        counter.close()
    for index, result in enumerate(results):
        if result is _MISSING:  # a child that died took these with it
            results[index] = work(items[index])
    return results
