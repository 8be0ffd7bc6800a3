"""The frameworks: one folder each (torch/, tensorflow/, xgboost/, ...), listed once in registry.py.

Generic code (the contract table, the lint engine, sysinfo, the train pipeline, process supervision) knows the
frameworks only through the functions here: it asks for a part ("lint", "probe", ...) and gets each framework's
module that provides it, in registry order. interface.py says what a folder declares and what each part holds.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from types import ModuleType

from .interface import PARTS, Component, Example, Framework
from .registry import NAMES

__all__ = ["NAMES", "PARTS", "Component", "Example", "Framework", "example_module", "examples", "get", "launcher", "owner", "package", "part", "parts",
           "registered"]


@lru_cache(maxsize=None)
def registered() -> tuple[Framework, ...]:
    """Every framework's record, in registry order."""
    return tuple(import_module(f"{__name__}.{name}").FRAMEWORK for name in NAMES)


def get(name: str) -> Framework:
    for framework in registered():
        if framework.name == name:
            return framework
    raise KeyError(f"no framework {name!r} in the registry; registered: {', '.join(NAMES)}")


def package(framework: Framework) -> str:
    """The framework's import package, e.g. mlfcore.entrypoint.frameworks.torch."""
    return f"{__name__}.{framework.name}"


def part(framework: Framework | str, name: str) -> ModuleType:
    """One framework's part (a module of its folder)."""
    framework = get(framework) if isinstance(framework, str) else framework
    if name not in framework.parts:
        raise KeyError(f"framework {framework.name} has no {name} part")
    return import_module(f"{package(framework)}.{name}")


@lru_cache(maxsize=None)
def parts(name: str) -> tuple[tuple[Framework, ModuleType], ...]:
    """(framework, module) for every framework that provides the part `name`, in registry order."""
    if name not in PARTS:
        raise KeyError(f"no part {name!r}; parts: {', '.join(PARTS)}")
    return tuple((framework, part(framework, name)) for framework in registered() if name in framework.parts)


def examples() -> dict[str, tuple[Framework, Example]]:
    """Every bundled example by name, with its framework."""
    return {example.name: (framework, example) for framework in registered() for example in framework.examples}


def example_module(framework: Framework, example: Example) -> str:
    """The importable module of an example: what `python -m` runs."""
    return f"{package(framework)}.{example.module}"


def launcher() -> type:
    """The `Launch` class of the one framework that starts several processes per node (`mlf run --nproc`, its
    launch part); `Launch()` runs a command as it is, in one process."""
    found = parts("launch")
    if len(found) != 1:
        raise RuntimeError(f"exactly one framework must provide the launch part, found {[f.name for f, _ in found]}")
    return found[0][1].Launch


def owner(module: str) -> Framework | None:
    """The framework a module belongs to (by its top-level name), or None."""
    top = module.partition(".")[0]
    return next((framework for framework in registered() if top in framework.modules), None)
