"""The contract in-process, for code that does not start through `mlf run` (a notebook, a test, another launcher).

torch's DataLoader helpers (`dataloader_kwargs`, ...) live with torch (frameworks/torch/data.py); the package
exports both (mlfcore.entrypoint.__init__)."""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass, field

from . import contract, run_settings
from .bootstrap import _mlf_hooks
from .errors import ContractConflict


_SET_BY_US: dict[str, str] = {}  # the environment the last apply_contract call set


@dataclass
class AppliedContract:
    """What `apply_contract` did: the seed and thread count applied, and what could not take effect in-process."""

    seed: int
    threads: int
    environment: dict[str, str]
    applied: list[tuple[str, object]] = field(default_factory=list)
    not_in_effect: dict[str, str] = field(default_factory=dict)


def apply_contract(seed: int | None = None, threads: int | None = None, portable: bool = True,
                   allow_nondeterministic: bool = False) -> AppliedContract:
    """Apply the determinism contract to this process as far as a running interpreter allows.

    Reads MLF_SEED and MLF_THREADS when `seed` / `threads` are not given (empty means unset, as everywhere: the
    one reader is run_settings.py). Sets the contract's environment variables (for libraries not loaded yet),
    seeds `random`, configures every framework already imported and each one imported later. Raises ValueError for a bad seed or thread count and ContractConflict when the environment
    contradicts the contract (unless `allow_nondeterministic`). PYTHONHASHSEED cannot take effect in a running
    interpreter: `not_in_effect` says so, with every variable read by a library that is already loaded.
    """
    if seed is None:
        seed = run_settings.seed()
    if threads is None:
        threads = run_settings.threads()
    settings = contract.Settings(seed=seed, threads=threads, portable=portable,
                                 allow_nondeterministic=allow_nondeterministic)
    # What an earlier call set is ours, not the user's: a second call with new options replaces it (idempotent,
    # never a conflict with ourselves).
    environ = {name: value for name, value in os.environ.items() if _SET_BY_US.get(name) != value}
    clashes = contract.conflicts(settings, environ)
    if clashes and not allow_nondeterministic:
        raise ContractConflict("the environment contradicts the determinism contract: "
                               + "; ".join(c.describe() for c in clashes), clashes)
    wanted = contract.environment(settings)
    not_in_effect = _not_in_effect(wanted)
    os.environ.update(wanted)
    _SET_BY_US.clear()
    _SET_BY_US.update(wanted)
    start = len(_mlf_hooks.APPLIED)
    _mlf_hooks.install(_mlf_hooks.Options(seed, threads, portable=portable))
    random.seed(seed)
    return AppliedContract(seed, threads, wanted, list(_mlf_hooks.APPLIED[start:]), not_in_effect)


def _not_in_effect(wanted: dict[str, str]) -> dict[str, str]:
    """Variables the contract wants that this process can no longer apply: read at start, or by a loaded library.
    The contract table says when each is read; its frameworks are the module names that read it."""
    missed = {}
    for name, value in wanted.items():
        entry = contract.BY_NAME[name]
        if os.environ.get(name) == value or entry.read == contract.AT_USE:
            continue
        if entry.read == contract.AT_START:
            missed[name] = "read at interpreter start: run under `mlf run`, or set it before Python starts"
            continue
        loaded = [module for module in entry.frameworks if module in sys.modules]
        if loaded:
            missed[name] = f"read when {', '.join(loaded)} loaded, which has already happened"
    return missed
