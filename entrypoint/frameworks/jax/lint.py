"""JAX's lint part: which table applies (tables/jax-<major.minor>.toml), its seeding calls, and the `.at[...]`
updates, which only code can recognise (the table lists calls by name; `x.at[i].add(y)` is a method of an index
expression)."""

from __future__ import annotations

import ast
from pathlib import Path

from ... import installed

FRAMEWORK = "jax"
TABLES = Path(__file__).with_name("tables")
# Calls that make a PRNG key from a seed (the contract-clock-seed rule looks inside their arguments).
SEEDERS = frozenset({"jax.random.PRNGKey", "jax.random.key"})

# `.at[...]` updates that accumulate into repeated indices: their order decides the bits (jax.numpy.ndarray.at).
_ACCUMULATING = frozenset({"add", "subtract", "multiply"})
_SCATTER_RULE = "jax-scatter-add"
_UNIQUE_RULE = "jax-unique-indices"


def installed_version() -> str | None:
    return installed.version("jax")


def check_at_update(node: ast.Call, ctx) -> None:
    """`x.at[idx].add(y)` (and subtract, multiply); with `unique_indices=True` on any `.at[...]` update."""
    func = node.func
    if type(func) is not ast.Attribute or FRAMEWORK not in ctx.resolver.modules:
        return
    target = func.value
    if type(target) is not ast.Subscript or type(target.value) is not ast.Attribute or target.value.attr != "at":
        return
    symbol = f".at[...].{func.attr}"
    if func.attr in _ACCUMULATING:
        ctx.emit_id(_SCATTER_RULE, node, symbol)
    if any(k.arg == "unique_indices" and type(k.value) is ast.Constant and k.value.value is True
           for k in node.keywords):
        ctx.emit_id(_UNIQUE_RULE, node, symbol)


# Checks that are code, not table rows (lint/rules/__init__.py): (node type, called name, check).
HANDLERS = tuple((ast.Call, name, check_at_update)
                 for name in sorted({*_ACCUMULATING, "set", "get", "divide", "power", "min", "max", "apply"}))
