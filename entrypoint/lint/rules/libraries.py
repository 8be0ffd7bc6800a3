"""Third-party libraries' rules: the calls of the libraries projects train with that make a run non-deterministic,
and the arguments that make them deterministic.

The rules are data: the framework-agnostic libraries' in lint/data/libraries.toml, each framework's own libraries' in
`libraries.toml` beside its versioned tables (frameworks/<name>/tables/).
"""

from __future__ import annotations

from .. import tables
from ..framework_parts import lint_parts
from ..model import Rule

FRAMEWORK = "lib"


def load() -> tuple[Rule, ...]:
    """The generic libraries' rules, then each framework's (registry order)."""
    paths = [tables.DATA / "libraries.toml"]
    paths += [part.TABLES / "libraries.toml" for _, part in lint_parts()
              if (part.TABLES / "libraries.toml").is_file()]
    return tuple(rule for path in paths for rule in tables.load_file(path, FRAMEWORK))
