"""Hold a training at a chosen step's end until a signal has reached it: a preemption at the worst moment, on purpose.

A signal's moment decides what a training does with it, and a test that sends one "soon after step k" races the
training on a busy machine. This folder goes on PYTHONPATH after mlf's bootstrap; the bootstrap's sitecustomize
runs the next one on sys.path, which is this file, in every Python process of the training (torchrun's ranks
included). With HOLD set (see `environment`), `Steps.done()` of the chosen step returns only once this process has
caught a signal, after writing a ready file the test waits for. So the signal lands exactly after that step's end:
in the middle of an epoch, or in the window after an epoch's last step where the framework winds its loop down.

The test process imports this module too (for `environment` and `wait_until_held`); without HOLD set it does
nothing.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HOLD = "MLF_TEST_HOLD"  # JSON: {"after_step": k, "ready": path prefix, "ranks": [ranks to hold] or null for all}
SAFETY_S = 300  # no signal within this: the test is broken; the process says so and exits 98


def environment(after_step: int, ready: Path, ranks: list[int] | None = None) -> dict[str, str]:
    """The variables that make the training hold after `after_step` (on `ranks`, default all)."""
    existing = os.environ.get("PYTHONPATH")
    folder = str(Path(__file__).resolve().parent)
    return {HOLD: json.dumps({"after_step": after_step, "ready": str(ready), "ranks": ranks}),
            "PYTHONPATH": folder + (os.pathsep + existing if existing else "")}


def ready_file(ready: Path, rank: int) -> Path:
    return Path(f"{ready}.rank{rank}")


def wait_until_held(ready: Path, process, ranks=(0,)) -> list[int]:
    """The pids of the held processes, once each of `ranks` holds; fails with the process's stderr if it ends."""
    deadline = time.monotonic() + SAFETY_S
    while not all(ready_file(ready, rank).exists() for rank in ranks):
        if process.poll() is not None:
            raise AssertionError(f"the training ended (exit {process.returncode}) before it held:\n"
                                 f"{process.communicate()[1][-3000:]}")
        assert time.monotonic() < deadline, "the training never reached the step to hold at"
        time.sleep(0.05)
    return [int(ready_file(ready, rank).read_text()) for rank in ranks]


def _install(spec: dict) -> None:
    from mlfcore.entrypoint import steps

    rank = int(os.environ.get("RANK", "0"))
    if spec["ranks"] is not None and rank not in spec["ranks"]:
        return
    original = steps.Steps.done

    def done(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if result is False and self.step == spec["after_step"] and self.signalled is None:
            # Written whole, then renamed: the test reads the pid as soon as the file exists, and a file created
            # empty and written after (write_text) could be read empty in between on a busy machine.
            ready = ready_file(Path(spec["ready"]), rank)
            partial = ready.with_name(ready.name + ".partial")
            partial.write_text(str(os.getpid()))
            os.replace(partial, ready)
            deadline = time.monotonic() + SAFETY_S
            while self.signalled is None:  # the handler runs in this (main) thread, between two sleeps
                if time.monotonic() > deadline:
                    sys.stderr.write(f"hold: no signal within {SAFETY_S} s after step {self.step}\n")
                    os._exit(98)
                time.sleep(0.005)
        return result

    steps.Steps.done = done


if os.environ.get(HOLD):
    _install(json.loads(os.environ[HOLD]))
