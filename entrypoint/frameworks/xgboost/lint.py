"""XGBoost's lint part: which table applies, and params dicts (`{"booster": "gblinear"}`, `dict(booster="gblinear")`).

A params dict is checked with the same matches as keyword arguments (tables/xgboost-<version>.toml): its string
keys are read as keywords. Only in modules that import xgboost, where such a dict is xgboost's params.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ... import installed

FRAMEWORK = "xgboost"
TABLES = Path(__file__).with_name("tables")
_KEYS = frozenset({"booster", "updater"})


def installed_version() -> str | None:
    return installed.version("xgboost")


def check_params_dict(node: ast.Dict, ctx) -> None:
    if FRAMEWORK not in ctx.resolver.modules:
        return
    keywords = [ast.keyword(arg=key.value, value=value) for key, value in zip(node.keys, node.values)
                if type(key) is ast.Constant and type(key.value) is str]
    _check(keywords, node, ctx, "params dict")


def check_dict_call(node: ast.Call, ctx) -> None:
    if type(node.func) is ast.Name and node.func.id == "dict" and FRAMEWORK in ctx.resolver.modules \
            and "dict" not in ctx.resolver.aliases:
        _check(node.keywords, node, ctx, "params dict")


def _check(keywords: list[ast.keyword], node: ast.AST, ctx, symbol: str) -> None:
    if not any(k.arg in _KEYS for k in keywords):
        return
    for rule in ctx.ruleset.framework_rules(FRAMEWORK):
        for match in rule.matches[:1]:  # every xgboost rule's first match is the estimator call
            ctx.check(rule, match, (), keywords, (), node, symbol)


# Checks that are code, not table rows (lint/rules/__init__.py HANDLERS): (node type, called name, check).
HANDLERS = ((ast.Dict, None, check_params_dict), (ast.Call, "dict", check_dict_call))
