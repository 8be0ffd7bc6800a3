"""A training process never outlives its mlf.

The training command runs in its own process group (so mlf can signal all of it: a shell, its python, DataLoader
workers). Three things end that group when mlf ends:
- mlf itself, when the command returns or mlf is interrupted: SIGTERM to the group, SIGKILL after a grace period;
- the kernel, when mlf is SIGKILLed: the direct child asked for PR_SET_PDEATHSIG = SIGKILL (prctl(2)) before exec;
- a watcher process in its own session that blocks on a pipe only mlf holds: the pipe closes when mlf dies, however
  it dies, and the watcher then ends the group (the grandchildren PR_SET_PDEATHSIG does not cover).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
GRACE_S = 5.0  # SIGTERM, then SIGKILL: time for a training script to flush a checkpoint

_WATCHER = """
import os, signal, sys, time
group = int(sys.argv[1])
os.read(0, 1)  # returns when mlf, the pipe's only writer, is gone
try:
    os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < deadline:
        os.killpg(group, 0)
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)
except ProcessLookupError:
    pass
"""


def _die_with_parent(parent: int) -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watcher alone
        pass
    if os.getppid() != parent:  # mlf died before prctl took effect
        os._exit(137)


def popen_options() -> dict:
    parent = os.getpid()
    return {"process_group": 0, "preexec_fn": lambda: _die_with_parent(parent)}


def watch(group: int):
    """Start the watcher for process group `group`; returns (process, write end of its pipe)."""
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen([sys.executable, "-I", "-S", "-c", _WATCHER, str(group), str(GRACE_S)],
                                   stdin=read_end, start_new_session=True, close_fds=True)
    finally:
        os.close(read_end)
    return process, write_end


def signal_group(group: int, signum: int) -> None:
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def end_group(child: subprocess.Popen, watcher, patient: bool = False) -> None:
    """After the child returned (or mlf is leaving): end what is left of its group, then release the watcher.

    `patient`: a stop signal was passed on to the group, which may still be writing its checkpoint after the leader
    ended (a /bin/sh leader ends at once on SIGTERM, the Python under it is in its handler). Then mlf waits for the
    group, however long: the supervisor that sent the signal decides when to SIGKILL (Kubernetes'
    terminationGracePeriodSeconds, Slurm's KillWait), and SIGKILLs mlf too, which the watcher answers. Measured
    before: a training under /bin/sh that needed 8 s for its checkpoint was SIGKILLed GRACE_S after the shell died.
    """
    if patient:
        while _group_alive(child.pid):
            child.poll()
            time.sleep(0.05)
    if child.poll() is None:
        child.terminate()
    signal_group(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_S
    while _group_alive(child.pid) and time.monotonic() < deadline:
        child.poll()  # reaps the leader, so a zombie does not keep the group "alive"
        time.sleep(0.05)
    signal_group(child.pid, signal.SIGKILL)
    child.poll()
    if watcher is not None:
        process, write_end = watcher
        os.close(write_end)
        process.wait()
