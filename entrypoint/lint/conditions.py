"""Argument conditions: does this call pass `mode="bilinear"`, give `weights`, leave `accumulate` at its default?

An argument is found by keyword, else by position in the match's parameter list. Its value counts only when it
is a literal (or a dotted name such as `torch.int64`); anything else is UNKNOWN, and a rule whose outcome hangs on
an unknown value is reported one level lower (error → warning) saying which argument decided it. `**kwargs` and
`*args` are read optimistically: an argument they might hold counts as left at its default, and a rule that needs
an argument to be absent does not fire (mlfcore's own `DataLoader(..., **dataloader_kwargs())` passes the seeded
generator that way). A literal params dict is checked where it is written.
"""

from __future__ import annotations

import ast
from typing import Any, Sequence

from .model import Condition, Match
from .resolver import Resolver

ABSENT = object()  # the argument is not passed
SPREAD = object()  # not passed by name or position, but a **mapping is: it may be in there
UNKNOWN = object()  # passed, but its value cannot be read from the source

YES, NO, MAYBE = "yes", "no", "maybe"


def argument(args: Sequence[ast.AST], keywords: Sequence[ast.keyword], name: str,
             params: Sequence[str]) -> Any:
    """The node passed for `name`, else SPREAD (a **mapping might hold it), else ABSENT."""
    spread = False
    for keyword in keywords:
        if keyword.arg == name:
            return keyword.value
        spread = spread or keyword.arg is None
    missing = SPREAD if spread else ABSENT
    try:
        index = params.index(name)
    except ValueError:
        return missing
    if index < len(args):
        for earlier in args[:index + 1]:
            if type(earlier) is ast.Starred:
                return missing
        return args[index]
    return missing


def literal(node: ast.AST, resolver: Resolver) -> Any:
    """A literal's value; a dotted name's qualified spelling (`torch.int64`); else UNKNOWN."""
    kind = type(node)
    if kind is ast.Constant:
        return node.value
    if kind is ast.UnaryOp and type(node.op) is ast.USub and type(node.operand) is ast.Constant \
            and type(node.operand.value) in (int, float, complex):
        return -node.operand.value  # `-"a"` is valid syntax that raises at run time: UNKNOWN, never a crash here
    if kind is ast.Attribute or kind is ast.Name:
        qualified = resolver.qualify(node)
        return qualified if qualified is not None else UNKNOWN
    if (kind is ast.Tuple or kind is ast.List) and all(type(e) is ast.Constant for e in node.elts):
        return [e.value for e in node.elts]  # `(1, 1)`: compared with a table's TOML array
    return UNKNOWN


def _same(value: Any, allowed: Sequence[Any]) -> bool:
    # Type-strict: `accumulate=0` is not `False` in the table's sense, and True must not match 1.
    return any(type(value) is type(candidate) and value == candidate for candidate in allowed)


def holds(condition: Condition, node: Any, resolver: Resolver) -> str:
    """YES, NO or MAYBE for one condition, given the node passed for its argument (or ABSENT)."""
    test = condition.test
    if node is SPREAD:
        if test == "absent":
            return NO
        node = ABSENT
    if test == "given":
        if node is ABSENT or (type(node) is ast.Constant and node.value is None):
            return NO
        return YES
    if test == "absent":
        if node is ABSENT or (type(node) is ast.Constant and node.value is None):
            return YES
        return NO
    if test == "none":  # passed as None in so many words (its default is something else)
        if node is ABSENT:
            return NO
        if type(node) is ast.Constant:
            return YES if node.value is None else NO
        return MAYBE if condition.unknown_holds else NO
    if node is ABSENT:
        if not condition.has_default:
            return NO if test == "in" else YES
        value = condition.default
    else:
        value = literal(node, resolver)
        if value is UNKNOWN:
            return MAYBE if condition.unknown_holds else NO
    found = _same(value, condition.values)
    return YES if found == (test == "in") else NO


def evaluate(match: Match, args: Sequence[ast.AST], keywords: Sequence[ast.keyword], params: Sequence[str],
             resolver: Resolver) -> tuple[str, str | None]:
    """All of the match's conditions together: (YES|NO|MAYBE, the argument that left it undecided)."""
    undecided = None
    for condition in match.when:
        outcome = holds(condition, argument(args, keywords, condition.arg, params), resolver)
        if outcome == NO:
            return NO, None
        if outcome == MAYBE and undecided is None:
            undecided = condition.arg
    return (MAYBE, undecided) if undecided else (YES, None)
