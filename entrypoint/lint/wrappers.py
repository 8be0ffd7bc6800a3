"""One-level wrappers within a module: a function that passes one of its parameters on as the argument that decides
a rule, called elsewhere in the module with a literal for it.

    def resize(x, size, mode):
        return F.interpolate(x, size=size, mode=mode)      # `mode` is not a literal here: undecided
    ...
    y = resize(x, 64, "bicubic")                           # but here it is: reported at this call, as a warning

The call inside the wrapper keeps its own (undecided) finding; a call of the wrapper whose literal makes the rule
hold is reported at the call, one level below the rule (a warning at most: the wrapper's body may not always reach
the op). Only undecided arguments start this, so it costs nothing on code without them. Within one module: a
wrapper in another file of the project is not followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from . import conditions
from .model import Condition, Match, Rule

LOWER = {"error": "warning", "warning": "warning", "info": "info"}


@dataclass(frozen=True)
class Wrapper:
    name: str  # the function's name (called as name(...) or obj.name(...))
    parameter: str  # its parameter that reaches the rule's argument
    position: int  # that parameter's position among the call's positional arguments (-1: keyword only)
    rule: Rule
    condition: Condition  # the rule's condition on that argument, to test the call's literal against
    symbol: str


def note(ctx, rule: Rule, match: Match, node: ast.Call, argument: str, params, args, keywords, symbol: str) -> None:
    """Remember a wrapper when the undecided `argument` is a parameter of the function around `node`."""
    passed = conditions.argument(args, keywords, argument, params)
    if type(passed) is not ast.Name:
        return
    function = _enclosing(ctx.functions, node)
    if function is None:
        return
    names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    keyword_only = [a.arg for a in function.args.kwonlyargs]
    if passed.id not in names and passed.id not in keyword_only:
        return
    position = names.index(passed.id) if passed.id in names else -1
    if names and names[0] in ("self", "cls") and position > 0:
        position -= 1  # called as obj.method(...): the receiver is not among the call's arguments
    condition = next(c for c in match.when if c.arg == argument)
    ctx.wrappers.append(Wrapper(function.name, passed.id, position, rule, condition, symbol))


def _enclosing(functions: list[ast.AST], node: ast.AST):
    line = getattr(node, "lineno", 0)
    inside = [f for f in functions if f.lineno <= line <= (f.end_lineno or f.lineno)]
    return max(inside, key=lambda f: f.lineno) if inside else None


def finish(ctx, tree: ast.AST) -> None:
    """Report the module's calls of its wrappers whose literal makes the wrapped rule hold."""
    if not ctx.wrappers:
        return
    by_name: dict[str, list[Wrapper]] = {}
    for wrapper in ctx.wrappers:
        by_name.setdefault(wrapper.name, []).append(wrapper)
    for node in ast.walk(tree):
        if type(node) is not ast.Call:
            continue
        func = node.func
        name = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else None
        for wrapper in by_name.get(name, ()):
            params = [""] * wrapper.position + [wrapper.parameter] if wrapper.position >= 0 else []
            passed = conditions.argument(node.args, node.keywords, wrapper.parameter, params)
            if passed is conditions.ABSENT or passed is conditions.SPREAD:
                continue
            if conditions.literal(passed, ctx.resolver) is conditions.UNKNOWN:
                continue
            if conditions.holds(wrapper.condition, passed, ctx.resolver) == conditions.YES:
                rule = replace(wrapper.rule, severity=LOWER[wrapper.rule.severity],
                               message=f"{wrapper.rule.message} (Through `{wrapper.name}`, which passes "
                                       f"`{wrapper.parameter}` on.)")
                ctx.emit(rule, node, f"{wrapper.name} -> {wrapper.symbol}")
