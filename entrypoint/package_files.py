"""Files inside an installed package, found and run without importing the package (whose import can take seconds,
or crash): what sysinfo's probes read instead of asking the framework."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_dirs(package: str) -> list[Path]:
    """The folders of an installed package (none when it is not installed)."""
    spec = importlib.util.find_spec(package)
    return [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []


def package_file(package: str, *parts: str) -> Path | None:
    """A file inside an installed package, or None."""
    for folder in package_dirs(package):
        candidate = folder.joinpath(*parts)
        if candidate.is_file():
            return candidate
    return None


def load_file(name: str, path: Path):
    """Execute one stand-alone module file of a package without running the package's __init__."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
