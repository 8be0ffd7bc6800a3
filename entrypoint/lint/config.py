"""`[tool.mlf.lint]`: select, ignore, exclude, torch-version. An unknown key is an error that names it.

entrypoint/config.py validates the top-level [tool.mlf] keys and hands the `lint` table here.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..frozen import Frozen

# key → (attribute, expected type, what the value means)
KEYS: dict[str, tuple[str, type, str]] = {
    "select": ("select", list, "rule ids or prefixes to check (default: all)"),
    "ignore": ("ignore", list, "rule ids or prefixes to skip"),
    "exclude": ("exclude", list, "glob patterns of paths not to check, relative to the project"),
    "torch-version": ("torch_version", str, "the torch rule table to use (default: the installed torch's)"),
}


class LintConfig(Frozen):
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    torch_version: str | None = None


def from_table(table: dict[str, object], where: Path | str | None = None) -> LintConfig:
    """Validate a [tool.mlf.lint] table; `where` (the pyproject.toml) goes into error messages."""
    origin = f"{where}: " if where else ""
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{origin}unknown key {key!r} in [tool.mlf.lint]",
                              hint="known keys: " + ", ".join(f"{k} ({v[2]})" for k, v in KEYS.items()))
        attribute, expected, _ = KEYS[key]
        if not isinstance(value, expected) or (expected is list and not all(isinstance(v, str) for v in value)):
            kind = "a list of strings" if expected is list else "a string"
            raise ConfigError(f"{origin}[tool.mlf.lint] {key} must be {kind}, got {value!r}")
        values[attribute] = tuple(value) if expected is list else value
    return LintConfig(**values)
