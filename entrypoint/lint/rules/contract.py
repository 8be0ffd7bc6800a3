"""Contract breakers: code that switches off what the determinism contract switches on.

The rules are data: the generic ones in lint/data/contract.toml, each framework's in `contract.toml` beside its
versioned tables (frameworks/<name>/tables/). `os.environ.update(...)` needs a look inside a dict, done here.
"""

from __future__ import annotations

import ast

from .. import tables
from ..framework_parts import lint_parts
from ..model import Rule

FRAMEWORK = "contract"
PYTHONHASHSEED = "PYTHONHASHSEED"


def load() -> tuple[Rule, ...]:
    """The generic contract breakers, then each framework's (registry order)."""
    paths = [tables.DATA / "contract.toml"]
    paths += [part.TABLES / "contract.toml" for _, part in lint_parts() if (part.TABLES / "contract.toml").is_file()]
    return tuple(rule for path in paths for rule in tables.load_file(path, FRAMEWORK))


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
