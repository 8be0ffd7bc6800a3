"""Directory listings in file-system order: `os.listdir`, `glob.glob`, `Path.iterdir()` / `.glob()` / `.rglob()`.

Their order is whatever the file system stores (ext4 hashes names; another machine, or a copy, differs), so a
dataset built from an unsorted listing is shuffled differently from machine to machine. A warning: whether the
order reaches the data cannot be seen. Not reported when the listing is passed to `sorted()` directly, when the
name it is assigned to is sorted later in the module (`files.sort()`, `sorted(files)`), or in a module that
imports no ML framework.
"""

from __future__ import annotations

import ast

from ..framework_parts import modules

RULE = "contract-unsorted-listing"
LISTINGS = frozenset({"os.listdir", "os.scandir", "glob.glob", "glob.iglob"})
PATH_METHODS = frozenset({"iterdir", "glob", "rglob"})
# ML libraries beside the registered frameworks' modules (lint/framework_parts.py): importing one makes a module
# one whose listings may reach the data.
OTHER_ML_MODULES = frozenset({"sklearn"})
NAMES = frozenset({"listdir", "scandir", "glob", "iglob", "iterdir", "rglob"})
SORTERS = frozenset({"sorted", "sort"})


def check_listing(node: ast.Call, ctx) -> None:
    if id(node) in ctx.in_sorted or not (OTHER_ML_MODULES | modules()).intersection(ctx.resolver.modules):
        return
    func = node.func
    qualified = ctx.resolver.qualify(func)
    if qualified in LISTINGS:
        ctx.listings.append((node, qualified))
    elif qualified is None and type(func) is ast.Attribute and func.attr in PATH_METHODS \
            and "pathlib" in ctx.resolver.modules:
        ctx.listings.append((node, f"Path.{func.attr}"))


def check_sorter(node: ast.Call, ctx) -> None:
    """`sorted(x)` / `x.sort()`: a listing inside it is ordered; a name sorted here was ordered after the fact."""
    func = node.func
    if type(func) is ast.Name and func.id == "sorted" and "sorted" not in ctx.resolver.aliases:
        for arg in node.args[:1]:
            for inner in ast.walk(arg):
                if type(inner) is ast.Call:
                    ctx.in_sorted.add(id(inner))
            if type(arg) is ast.Name:
                ctx.sorted_names.add(arg.id)
    elif type(func) is ast.Attribute and func.attr == "sort" and type(func.value) is ast.Name:
        ctx.sorted_names.add(func.value.id)


def finish(ctx, tree: ast.AST) -> None:
    """Report the listings whose name was not sorted later (run once the walk has seen the whole module)."""
    if not ctx.listings:
        return
    assigned: dict[int, str] = {}  # a call's id → the name its statement assigns (`files = [f for f in ...]`)
    for node in ast.walk(tree):
        if type(node) is ast.Assign and len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
            for inner in ast.walk(node.value):
                if type(inner) is ast.Call:
                    assigned[id(inner)] = node.targets[0].id
    for call, symbol in ctx.listings:
        name = assigned.get(id(call))
        if name is None or name not in ctx.sorted_names:
            ctx.emit_id(RULE, call, symbol)
