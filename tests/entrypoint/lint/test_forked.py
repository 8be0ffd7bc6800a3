"""Files shared among forked processes (lint/forked.py): every result once, in order; a child that dies costs no
result; an interrupt leaves no child behind; a process with threads uses a pool instead."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from mlfcore.entrypoint.lint import engine, forked, lint_paths

BAD_CALL = b"import torch\ntorch.bincount(x, w)\n"
# How long a test waits for the other process before it fails: a guard against a hang, never what decides a pass.
PATIENCE_S = 120


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared: the child took no work"
        time.sleep(0.01)


def test_every_item_has_its_own_result_in_order_whichever_process_computed_it():
    items = list(range(500))
    order = sorted(items, key=lambda i: (i * 7919) % 500)  # any permutation
    results = forked.check(items, order, lambda item: (item, item * item), jobs=2)
    assert results == [(i, i * i) for i in items]


def test_a_child_that_dies_costs_no_result(tmp_path):
    parent = os.getpid()
    took = tmp_path / "child-took-one"

    def work(item):
        if os.getpid() != parent:  # the child announces its first item, then dies holding it
            took.write_text(str(os.getpid()))
            os._exit(3)
        if item == 0:  # the parent's first item: wait until the child has taken one
            wait_for(took)
        return item + 1000

    results = forked.check(list(range(20)), list(range(20)), work, jobs=2)
    assert took.exists()
    assert results == [item + 1000 for item in range(20)]


def test_an_interrupt_leaves_no_child_behind(tmp_path):
    parent = os.getpid()
    child = tmp_path / "child-pid"

    def work(item):
        if os.getpid() != parent:
            partial = tmp_path / "child-pid.partial"  # renamed once written: the parent never reads it half-written
            partial.write_text(str(os.getpid()))
            partial.rename(child)
            time.sleep(30)  # a long file: the parent's cleanup must end it before it ends
            (tmp_path / "child-finished").touch()
            return item
        wait_for(child)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        forked.check(list(range(4)), list(range(4)), work, jobs=2)
    assert not (tmp_path / "child-finished").exists()  # killed, not waited for
    with pytest.raises(ProcessLookupError):  # and reaped, not a zombie
        os.kill(int(child.read_text()), 0)


def test_a_process_with_threads_checks_through_a_pool_and_finds_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)  # tiny files: the parallel path must run anyway
    for n in range(engine.PARALLEL_MIN_FILES + 8):
        (tmp_path / f"m{n:03}.py").write_bytes(BAD_CALL if n % 2 else b"x = 1\n")
    serial = lint_paths([tmp_path], base=tmp_path, jobs=1).to_dict()

    def no_fork(*args, **kwargs):
        raise AssertionError("forked with a second thread running")

    monkeypatch.setattr(forked, "check", no_fork)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert lint_paths([tmp_path], base=tmp_path, jobs=2).to_dict() == serial
    finally:
        stop.set()
        thread.join()
