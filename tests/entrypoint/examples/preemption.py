"""SIGTERM at a chosen moment of a bundled example under `mlf run`, as a preemption delivers it: to mlf, which
forwards it to the training (as tini does in an image). The training is held at the end of the chosen step until
the signal has reached it (tests/entrypoint/hold), so where the signal lands is decided by the test, not by the
machine's load."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from mlfcore.entrypoint import checkpoint, variables

from ..conftest import MLF, clean_environment
from ..hold import sitecustomize as hold

GRACE_SECONDS = 30  # Kubernetes' default terminationGracePeriodSeconds: the budget between SIGTERM and SIGKILL


def sigterm_after(step: int, command: list[str], folder: Path, scratch: Path, **env: str):
    """Run `command` under `mlf run` with checkpoints in `folder`, SIGTERM mlf once the training holds after `step`;
    returns (exit code, stderr, the checkpoint manifest or None)."""
    ready = scratch / "held"
    environ = clean_environment(**{variables.MLF_CHECKPOINT_DIR: str(folder)}, **hold.environment(step, ready), **env)
    process = subprocess.Popen([*MLF, "run", "--no-lint", "--", *command], env=environ, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        hold.wait_until_held(ready, process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=GRACE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    path = folder / checkpoint.MANIFEST
    return process.returncode, stderr, json.loads(path.read_text()) if path.exists() else None
