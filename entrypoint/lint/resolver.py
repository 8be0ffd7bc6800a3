"""Import and alias resolution over one module's AST: which local name stands for which fully qualified one.

`import torch as T`, `from torch.nn import functional as F`, `from torch import bincount as count`,
`import torch.nn as nn` and plain aliases (`cudnn = torch.backends.cudnn`) all resolve, so `F.interpolate` is
`torch.nn.functional.interpolate` and `np.bincount` is `numpy.bincount`, never a torch op. The namespace is the
module's, flat: names are bound in the order the walk meets them (good enough for lint; a function that rebinds
`F` to something else unbinds it for the rest of the module).
"""

from __future__ import annotations

import ast

from .framework_parts import joined


def canonical(name: str) -> str:
    """The spelling the rule tables use for `name`: the same object reached through different public paths (each
    framework's lint part lists its own as ALIASES)."""
    for prefix, replacement in joined("ALIASES"):
        if name.startswith(prefix):
            return replacement + name[len(prefix):]
    return name


class Resolver:
    """Local names → qualified names for one module, and the top-level modules it imports."""

    __slots__ = ("aliases", "modules", "stars")

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.modules: set[str] = set()
        self.stars: list[str] = []  # modules imported with `from M import *`, newest first

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.partition(".")[0]
                self.modules.add(top)
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    self.aliases[top] = top
            return
        if node.level or not node.module:  # relative imports name the project's own modules
            return
        self.modules.add(node.module.partition(".")[0])
        for alias in node.names:
            if alias.name == "*":
                self.stars.insert(0, node.module)
            else:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualify(self, node: ast.AST) -> str | None:
        """`a.b.c` where `a` is an imported (or aliased) name → its qualified name; anything else → None."""
        parts: list[str] = []
        while type(node) is ast.Attribute:
            parts.append(node.attr)
            node = node.value
        if type(node) is not ast.Name:
            return None
        base = self.aliases.get(node.id)
        if base is None:
            return None
        if parts:
            parts.reverse()
            return canonical(base + "." + ".".join(parts))
        return canonical(base)

    def bind(self, target: ast.AST, value: ast.AST) -> None:
        """`name = <expr>`: `name` now aliases what `<expr>` qualifies to, or nothing we know."""
        if type(target) is not ast.Name:
            return
        qualified = self.qualify(value) if type(value) in (ast.Name, ast.Attribute) else None
        if qualified is None:
            self.aliases.pop(target.id, None)
        else:
            self.aliases[target.id] = qualified
