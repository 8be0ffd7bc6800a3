"""The two numbers every run is set by — the seed and the thread count —: their ranges, their defaults and the one
reader of MLF_SEED and MLF_THREADS. As Lightning's seed.py does for its seed: one constant, one reader.

Every entry point reads them here: `[tool.mlf]` resolution (config.py), the CLI's option ranges (commands/options.py
and the start-up fast path, cli/fastpath.py), `apply_contract` (api.py), the child bootstrap (bootstrap/_mlf_hooks.py)
and the bundled examples. So `MLF_SEED=""` means "unset" everywhere, and a bad value is the same error everywhere.

Imports nothing from mlfcore: the child bootstrap loads this file by path, in interpreters that cannot import
mlfcore (bootstrap/__init__.py).
"""

import os

SEED_VARIABLE = "MLF_SEED"
THREADS_VARIABLE = "MLF_THREADS"

DEFAULT_SEED = 0
# Seeds are what NumPy's legacy generator and XGBoost accept: unsigned 32-bit integers.
SEED_MAX = 2**32 - 1
# One fixed number, independent of the host: measured on this project's machine, torch CPU training gives different
# bits with 1, 2 and 4 threads and the same bits for 2 threads on 1 or 2 cores (a 2-core x86-64 host). Two keeps a
# 2-core CI machine busy without oversubscribing it.
DEFAULT_THREADS = 2
# More threads than any host has CPUs: libgomp aborts the child's bootstrap with a traceback on huge counts.
MAX_THREADS = 1024


def is_seed(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= SEED_MAX


def is_threads(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_THREADS


def check_seed(value) -> int:
    """`value` when it is a valid seed; ValueError naming it otherwise."""
    if not is_seed(value):
        raise ValueError(f"seed must be an integer in [0, 2**32), got {value!r}")
    return value


def check_threads(value) -> int:
    """`value` when it is a valid thread count; ValueError naming it otherwise."""
    if not is_threads(value):
        raise ValueError(f"threads must be an integer in [1, {MAX_THREADS}], got {value!r}")
    return value


def _from_environment(name, check, environ):
    raw = (os.environ if environ is None else environ).get(name)
    if raw is None or raw.strip() == "":
        return None  # unset and empty are the same: a shell's `MLF_SEED= cmd` means no seed was given
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer; unset {name} or set it to a number") from None
    try:
        return check(value)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None


def seed_from_environment(environ=None):
    """MLF_SEED as a seed; None when it is unset or empty. ValueError naming the variable when it is not a seed."""
    return _from_environment(SEED_VARIABLE, check_seed, environ)


def threads_from_environment(environ=None):
    """MLF_THREADS as a thread count; None when unset or empty. ValueError naming the variable when invalid."""
    return _from_environment(THREADS_VARIABLE, check_threads, environ)


def seed(environ=None) -> int:
    """The run's seed as a training reads it: MLF_SEED (set by `mlf run` for its child), else the default."""
    found = seed_from_environment(environ)
    return DEFAULT_SEED if found is None else found


def threads(environ=None) -> int:
    """The run's thread count as a training reads it: MLF_THREADS, else the default."""
    found = threads_from_environment(environ)
    return DEFAULT_THREADS if found is None else found
