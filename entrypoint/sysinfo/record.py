"""collect(): the whole record — system, CPU, memory, GPUs, frameworks, packages, project, contract and key."""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from .. import bootstrap, config, contract
from . import cpu, frameworks, gpu, key, memory, packages, project, system
from .schema import SCHEMA_VERSION


def _mlfcore_version() -> str:
    from .. import __version__

    return __version__


def _section(collector, *args, **kwargs) -> dict:
    """One section. Each collector turns the failures it expects into fields; this guard keeps an unexpected one
    from losing the other sections (the issue's bar: a clear field saying why, exit 0)."""
    try:
        return collector(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 — kept in the record, with its type, for the bug report
        return {"error": f"{type(err).__name__}: {err}", "reason": "mlf could not read this section (a bug: "
                                                                   "please report it with this message)"}


def collect(settings: contract.Settings | None = None, *, fast: bool = False,
            project_dir: Path | str = ".") -> dict:
    """The record of this machine and run settings, as JSON-able data.

    `settings` defaults to the project's ([tool.mlf] in `project_dir`, else MLF_SEED / MLF_THREADS, else the
    contract's defaults). `fast` leaves the frameworks unimported: versions then come from package metadata only.
    The environment key is the same either way. Raises ConfigError for an invalid [tool.mlf].
    """
    started = time.perf_counter()
    project_dir = Path(project_dir)
    if settings is None:
        settings = config.settings(config.load(project_dir))
    installed = packages.installed()
    record = {
        "schema_version": SCHEMA_VERSION,
        "mlfcore_version": _mlfcore_version(),
        # Volatile facts live here and in a few named fields (free memory): none of them enters the key.
        "collected": {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "fast": fast,
                      "hostname": socket.gethostname(), "pid": os.getpid(), "seconds": None},
        "system": _section(system.collect, installed),
        "cpu": _section(cpu.collect, settings),
        "memory": _section(memory.collect),
        "gpu": _section(gpu.collect),
        # The frameworks are asked in the environment of a run under `mlf run` (contract and bootstrap), so their
        # answers (thread count, CPU capability) are those a training run gets.
        "frameworks": _section(frameworks.collect, installed, fast=fast, project_dir=project_dir,
                               environ=bootstrap.child_environment(settings)),
        "packages": installed,
        "project": _section(project.collect, project_dir),
        "contract": contract.record(settings),
    }
    record["environment_key"] = key.environment_key(record)
    record["collected"]["seconds"] = round(time.perf_counter() - started, 3)
    return record
