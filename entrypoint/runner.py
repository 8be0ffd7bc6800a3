"""Run a command as a child process under the contract, forwarding signals, and return its exit code."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import console, contract, variables
from .bootstrap import BOOTSTRAP_DIR
from .errors import ContractConflict, UsageError

# Signals a supervisor passes on. SIGINT is special-cased below: a terminal already sends it to the whole group.
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def check(settings: contract.Settings, environ: Mapping[str, str] | None = None) -> list[contract.Conflict]:
    """Raise ContractConflict for contradicting variables the run may not deviate on; return the allowed ones."""
    found = contract.conflicts(settings, environ)
    refused = [c for c in found if not contract.allowed(settings, c.name)]
    if refused:
        lines = "\n".join(f"  {c.describe()}" for c in refused)
        names = " ".join(c.name for c in refused)
        hint = f"unset {names}, or pass --allow-nondeterministic to run anyway (the run is then recorded as " \
               "non-deterministic)"
        threads = [c for c in refused if c.name.endswith("_THREADS") and c.current.isdigit()]
        if threads:
            hint += f"; to keep {threads[0].current} threads, pass --threads {threads[0].current}"
        raise ContractConflict(f"the environment contradicts the determinism contract:\n{lines}", refused, hint=hint)
    for name, value in contract.kept_from_environment(settings, environ).items():
        console.warn(f"{name}={value} is kept from the environment instead of the contract's "
                     f"{contract.environment(settings)[name]} (recorded in the environment key)")
    return found


def child_environment(settings: contract.Settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The contract's environment plus the bootstrap first on PYTHONPATH."""
    env = contract.child_environment(settings, environ)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(BOOTSTRAP_DIR) + (os.pathsep + existing if existing else "")
    return env


def _terminal_sent_it() -> bool:
    """Whether SIGINT came from our terminal, which delivered it to the child too (same foreground group)."""
    try:
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def run(command: Sequence[str], env: Mapping[str, str], cwd: str | None = None, own_group: bool = False) -> int:
    """Start `command`, forward signals to it until it ends, return its exit code (128+N if killed by signal N).
    With `own_group` it runs in its own process group that dies with mlf (lifetime.py)."""
    if not command:
        raise UsageError("no command given", hint="put the command after --, e.g. mlf run -- python train.py")
    if shutil.which(command[0], path=env.get("PATH")) is None and not os.path.exists(command[0]):
        raise UsageError(f"command not found: {command[0]}", hint="check the name, or give its full path")
    with tempfile.TemporaryDirectory(prefix="mlf-run-") as scratch:
        mark = Path(scratch) / "bootstrapped"
        mark.touch()
        code = _supervise(command, {**env, variables.MLF_BOOTSTRAP_MARK: str(mark)}, cwd, own_group)
        if _looks_like_python(command[0]) and not mark.read_text().strip():
            console.warn("the Python child never ran mlf's bootstrap (started with -I, -E or -S?), so seeds and "
                         "framework switches were NOT applied in it; only the environment variables were")
    return code


def _looks_like_python(program: str) -> bool:
    return os.path.basename(program).startswith("python")


def _supervise(command: Sequence[str], env: Mapping[str, str], cwd: str | None, own_group: bool = False) -> int:
    from . import lifetime

    try:
        child = subprocess.Popen(list(command), env=dict(env), cwd=cwd,
                                 **(lifetime.popen_options() if own_group else {}))
    except OSError as failure:  # exists but cannot be run: not executable, a folder, a bad interpreter line
        raise UsageError(f"cannot start {command[0]}: {failure.strerror or failure}",
                         hint="give an executable program, e.g. `mlf run -- python train.py`") from failure

    def forward(signum, _frame):
        if own_group:  # its own group: no terminal signal reaches it but through us
            lifetime.signal_group(child.pid, signum)
            return
        if signum == signal.SIGINT and _terminal_sent_it():
            return
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    watcher = lifetime.watch(child.pid) if own_group else None
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if own_group:
            lifetime.end_group(child, watcher)
    return 128 - code if code < 0 else code
