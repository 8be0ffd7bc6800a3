"""Contract breakers: code that switches off what the determinism contract switches on.

The rules are data (lint/data/contract.toml); `os.environ.update(...)` needs a look inside a dict, done here.
"""

from __future__ import annotations

import ast

from .. import tables
from ..model import Rule

FRAMEWORK = "contract"
PYTHONHASHSEED = "PYTHONHASHSEED"


def load() -> tuple[Rule, ...]:
    return tables.load_file("contract.toml", FRAMEWORK)


def check_environ_update(node: ast.Call, ctx) -> None:
    """`os.environ.update({"PYTHONHASHSEED": ...})` or `os.environ.update(PYTHONHASHSEED=...)`."""
    if type(node.func) is not ast.Attribute or node.func.attr != "update":
        return
    if ctx.resolver.qualify(node.func.value) != "os.environ":
        return
    keys = [k.arg for k in node.keywords]
    for arg in node.args:
        if type(arg) is ast.Dict:
            keys += [k.value for k in arg.keys if type(k) is ast.Constant]
    if PYTHONHASHSEED in keys:
        ctx.emit_id("contract-pythonhashseed", node, "os.environ.update")
