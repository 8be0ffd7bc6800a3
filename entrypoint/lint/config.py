"""`[tool.mlf.lint]`: select, ignore, exclude, and `<framework>-version` (torch-version, ...) for each framework with
rule tables. An unknown key is an error that names it.

entrypoint/config.py validates the top-level [tool.mlf] keys and hands the `lint` table here.
"""

from __future__ import annotations

from pathlib import Path

from .. import frameworks
from ..errors import ConfigError
from ..frozen import Frozen

# key → (attribute, expected type, what the value means)
KEYS: dict[str, tuple[str, type, str]] = {
    "select": ("select", list, "rule ids or prefixes to check (default: all)"),
    "ignore": ("ignore", list, "rule ids or prefixes to skip"),
    "exclude": ("exclude", list, "glob patterns of paths not to check, relative to the project"),
}
VERSION_SUFFIX = "-version"  # <framework>-version: that framework's rule table to use


def version_keys() -> dict[str, str]:
    """`<framework>-version` → framework, for every framework with a lint part."""
    return {f"{framework.name}{VERSION_SUFFIX}": framework.name for framework in frameworks.registered()
            if "lint" in framework.parts}


class LintConfig(Frozen):
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # (framework, table version) pairs: the table to use instead of the installed version's
    versions: tuple[tuple[str, str], ...] = ()


def from_table(table: dict[str, object], where: Path | str | None = None) -> LintConfig:
    """Validate a [tool.mlf.lint] table; `where` (the pyproject.toml) goes into error messages."""
    origin = f"{where}: " if where else ""
    values: dict[str, object] = {}
    versions: list[tuple[str, str]] = []
    known = {**KEYS, **{key: (name, str, f"the {name} rule table to use (default: the installed {name}'s)")
                        for key, name in version_keys().items()}}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{origin}unknown key {key!r} in [tool.mlf.lint]",
                              hint="known keys: " + ", ".join(f"{k} ({v[2]})" for k, v in known.items()))
        attribute, expected, _ = known[key]
        if not isinstance(value, expected) or (expected is list and not all(isinstance(v, str) for v in value)):
            kind = "a list of strings" if expected is list else "a string"
            raise ConfigError(f"{origin}[tool.mlf.lint] {key} must be {kind}, got {value!r}")
        if key in KEYS:
            values[attribute] = tuple(value) if expected is list else value
        else:
            versions.append((attribute, value))
    return LintConfig(**values, versions=tuple(versions))
