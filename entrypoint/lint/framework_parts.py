"""What the lint engine takes from each framework's lint part (frameworks/<name>/lint.py), through the registry.

A lint part may provide, beside `installed_version()` and `TABLES` (its folder of versioned rule tables and its
contract breakers, `contract.toml`): `ALIASES` and `COMPAT_PREFIXES` (other public spellings of its names),
`SEEDERS` (its seeding calls), `LAUNCHERS` / `LAUNCHER_MODULES` (launchers whose target script is the real entry),
`HANDLERS` (checks that are code), and the tensor facts `INTEGER_DTYPES`, `DTYPE_MODULES`, `NO_GRAD`,
`SET_GRAD_ENABLED`, `NON_TENSOR_MODULES` (lint/facts.py). Each is read once per process.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from .. import frameworks


@lru_cache(maxsize=None)
def lint_parts() -> tuple[tuple[str, ModuleType], ...]:
    """(framework name, its lint part), registry order."""
    return tuple((framework.name, module) for framework, module in frameworks.parts("lint"))


@lru_cache(maxsize=None)
def union(attribute: str) -> frozenset[str]:
    """Every lint part's `attribute` (a set of names) together."""
    return frozenset().union(*(getattr(module, attribute, ()) for _, module in lint_parts()))


@lru_cache(maxsize=None)
def joined(attribute: str) -> tuple:
    """Every lint part's `attribute` (a sequence), concatenated in registry order."""
    return tuple(item for _, module in lint_parts() for item in getattr(module, attribute, ()))


@lru_cache(maxsize=None)
def modules() -> frozenset[str]:
    """The top-level modules of every registered framework (and the libraries built on them)."""
    return frozenset(module for framework in frameworks.registered() for module in framework.modules)
