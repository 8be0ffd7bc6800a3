"""The child process of `mlf run` and `mlf train`: start a command (with the environment the contract gives it,
bootstrap.child_environment), forward signals to it until it ends, and return its exit code."""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence

from .. import console, variables
from ..errors import UsageError

# Signals a supervisor passes on. SIGINT is special-cased below: a terminal already sends it to the whole group.
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _terminal_sent_it() -> bool:
    """Whether SIGINT came from our terminal, which delivered it to the child too (same foreground group)."""
    try:
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def check_program(command: Sequence[str], env: Mapping[str, str]) -> None:
    """UsageError when there is no command or its program cannot be found on the child's PATH."""
    if not command:
        raise UsageError("no command given", hint="put the command after --, e.g. mlf run -- python train.py")
    if _which(command[0], env.get("PATH")) is None and not os.path.exists(command[0]):
        raise UsageError(f"command not found: {command[0]}", hint="check the name, or give its full path")


def run(command: Sequence[str], env: Mapping[str, str], cwd: str | None = None, own_group: bool = False) -> int:
    """Start `command`, forward signals to it until it ends, return its exit code (128+N if killed by signal N).
    With `own_group` it runs in its own process group that dies with mlf (lifetime.py)."""
    check_program(command, env)
    mark = _new_mark()
    bootstrapped = ""
    try:
        code = _supervise(command, {**env, variables.MLF_BOOTSTRAP_MARK: mark}, cwd, own_group)
        with open(mark, encoding="utf-8") as stream:
            bootstrapped = stream.read().strip()
    except FileNotFoundError:  # the command removed it (a cleaner of the temp folder): no proof either way
        bootstrapped = "unknown"
    finally:
        try:
            os.unlink(mark)
        except FileNotFoundError:
            pass
    if _looks_like_python(command[0]) and not bootstrapped:
        console.warn("the Python child never ran mlf's bootstrap (started with -I, -E or -S?), so seeds and "
                     "framework switches were NOT applied in it; only the environment variables were")
    return code


# `mlf run` starts every training command, so it imports only what it needs: shutil, tempfile and subprocess cost
# 10-15 ms of a 13 ms `python -c pass` start on the 2-core test machine (`python -X importtime`), which the three
# helpers below avoid. The train pipeline's own-group path still uses subprocess (lifetime.py).
def _which(name: str, path: str | None) -> str | None:
    """shutil.which for a command name: a name with a slash is itself, else the first executable file on PATH."""
    if os.sep in name:
        return name if os.access(name, os.X_OK) and not os.path.isdir(name) else None
    for folder in (path if path is not None else os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def _new_mark() -> str:
    """An empty file, only ours (O_EXCL, mode 0600), that each Python child's bootstrap appends its PID to."""
    folder = os.environ.get("TMPDIR") or "/tmp"
    for _ in range(100):
        path = os.path.join(folder, f"mlf-run-{os.getpid()}-{os.urandom(6).hex()}.mark")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return path
        except FileExistsError:
            continue
        except OSError:
            break
    import tempfile  # TMPDIR unusable: let tempfile find a writable folder, as it did before

    handle, path = tempfile.mkstemp(prefix="mlf-run-", suffix=".mark")
    os.close(handle)
    return path


def _looks_like_python(program: str) -> bool:
    return os.path.basename(program).startswith("python")


# What subprocess.Popen's restore_signals resets in the child: Python ignores these at start-up, a program expects
# the default (a `head` closing the pipe must end the writer with SIGPIPE).
_RESTORED = tuple(getattr(signal, name) for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ") if hasattr(signal, name))


def _start(command: Sequence[str], env: Mapping[str, str], cwd: str | None, own_group: bool):
    """Start the child; returns (pid, the Popen object or None). Raises UsageError when it cannot be started."""
    try:
        if own_group or cwd is not None or not hasattr(os, "posix_spawn"):
            import subprocess

            from . import lifetime

            child = subprocess.Popen(list(command), env=dict(env), cwd=cwd,
                                     **(lifetime.popen_options() if own_group else {}))
            return child.pid, child
        # Found on the child's PATH, as Popen(env=...) looks it up (os.get_exec_path(env)); posix_spawnp would use
        # ours. glibc's posix_spawn reports a failed exec as an error here, as Popen does (glibc 2.24 and later).
        program = _which(command[0], env.get("PATH")) or command[0]
        return os.posix_spawn(program, list(command), dict(env), setsigdef=_RESTORED), None
    except OSError as failure:  # exists but cannot be run: not executable, a folder, a bad interpreter line
        raise UsageError(f"cannot start {command[0]}: {failure.strerror or failure}",
                         hint="give an executable program, e.g. `mlf run -- python train.py`") from failure


# Signals that ask the training to stop: once one was passed on, mlf waits for the whole group (lifetime.end_group,
# `patient`). A second SIGINT (Ctrl-C pressed again) kills the group at once instead of waiting on.
STOPPING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)


def _supervise(command: Sequence[str], env: Mapping[str, str], cwd: str | None, own_group: bool = False) -> int:
    pid, child = _start(command, env, cwd, own_group)
    if own_group:
        from . import lifetime
    stopping: list[int] = []  # the stop signals passed on to the group

    def forward(signum, _frame):
        if own_group:  # its own group: no terminal signal reaches it but through us
            if signum == signal.SIGINT and signum in stopping:
                lifetime.signal_group(pid, signal.SIGKILL)
                return
            if signum in STOPPING:
                stopping.append(signum)
            lifetime.signal_group(pid, signum)
            return
        if signum == signal.SIGINT and _terminal_sent_it():
            return
        try:
            os.kill(pid, signum)
        except ProcessLookupError:  # it ended between its exit and our wait: nothing to pass on
            pass

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    watcher = lifetime.watch(pid) if own_group else None
    try:
        code = child.wait() if child is not None else os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if own_group:
            # After a stop signal the rest of the group may still be writing its checkpoint (the leader can be a
            # /bin/sh that the signal ended at once): wait for it, the handlers still in place.
            lifetime.end_group(child, watcher, patient=bool(stopping))
            watcher = None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if watcher is not None:
            lifetime.end_group(child, watcher)
    return 128 - code if code < 0 else code
