"""All rules, indexed once for the walk: by qualified symbol, by method name, by assignment target.

The rule sources: each framework's versioned TOML table and its contract breakers (its lint part, through the
registry: lint/framework_parts.py; the version picked from the installed package or asked for), the generic
contract breakers (lint/data/contract.toml), and the file findings. HANDLERS lists the few checks that are
functions rather than table rows (they read inside dicts, or a whole call's arguments).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable

from ...errors import UsageError
from ... import installed
from .. import tables
from ..framework_parts import joined, lint_parts
from ..model import Match, Rule
from . import contract, files, libraries, listing, seeding


# Checks that are code, not table rows: (node type, for calls the called name's last part, check). Each check
# gets (node, ctx) and reports through ctx; keying calls by name keeps them off the path of every other call.
# The frameworks' own come first (their lint parts' HANDLERS, registry order).
def handlers() -> tuple[tuple[type, str | None, Callable], ...]:
    return (
        *joined("HANDLERS"),
        (ast.Call, "update", contract.check_environ_update),
        *((ast.Call, name, seeding.check_seed_call) for name in sorted(seeding.names())),
        *((ast.Call, name, listing.check_listing) for name in sorted(listing.NAMES)),
        *((ast.Call, name, listing.check_sorter) for name in sorted(listing.SORTERS)),
    )

# Checks that need the whole module first, run after the walk: (rule id, check(ctx, tree)).
FINISHERS: tuple[tuple[str, Callable], ...] = ((listing.RULE, listing.finish),)

Entry = tuple[Rule, Match]


@dataclass
class RuleSet:
    rules: dict[str, Rule]  # every known rule, selected or not (SARIF lists them, --select checks against them)
    active: frozenset[str]
    tables: dict[str, str]  # framework → table version
    by_symbol: dict[str, list[Entry]] = field(default_factory=dict)
    by_method: dict[str, list[Entry]] = field(default_factory=dict)
    by_assign: dict[str, list[Entry]] = field(default_factory=dict)
    dict_handlers: tuple[Callable, ...] = ()
    call_handlers: dict[str, tuple[Callable, ...]] = field(default_factory=dict)  # called name → checks

    def framework_rules(self, framework: str) -> list[Rule]:
        return [r for r in self.rules.values() if r.framework == framework and r.id in self.active]


def all_rules(versions: dict[str, str | None] | None = None) -> tuple[dict[str, Rule], dict[str, str]]:
    """Every rule of the chosen tables, and which table version was chosen per framework."""
    versions = versions or {}
    chosen: dict[str, str] = {}
    rules: dict[str, Rule] = {}
    unknown = sorted(set(name for name, version in versions.items() if version is not None)
                     - {name for name, _ in lint_parts()})
    if unknown:
        raise UsageError(f"no rule tables for {', '.join(unknown)}",
                         hint=f"frameworks with tables: {', '.join(name for name, _ in lint_parts())}")
    for framework, part in lint_parts():
        chosen[framework] = tables.pick(framework, part.installed_version(), versions.get(framework))
        for rule in tables.load(framework, chosen[framework]):
            rules[rule.id] = rule
    for rule in (*contract.load(), *libraries.load(), *files.RULES):
        rules[rule.id] = rule
    return rules, chosen


def selected(rule_ids: list[str] | tuple[str, ...], selectors: list[str] | None, ignore: list[str]) -> set[str]:
    """Rule ids picked by `selectors` (ids, or prefixes such as "torch" or "contract"; "ALL") minus `ignore`.
    A selector that names no rule is a usage error: a typo must not silently select nothing."""

    def picks(selector: str) -> set[str]:
        if selector == "ALL":
            return set(rule_ids)
        if selector in rule_ids:  # an exact id wins: torch-put must not also pick torch-put-accumulate
            return {selector}
        found = {r for r in rule_ids if r.startswith(selector.rstrip("-") + "-")}
        if not found:
            raise UsageError(f"unknown rule {selector!r}",
                             hint="`mlf lint --list-rules` lists them; a prefix such as torch, tf, xgb, contract, lib "
                                  "or file selects a group")
        return found

    chosen = set(rule_ids) if selectors is None else set().union(*(picks(s) for s in selectors))
    # A file that could not be checked is always said, whatever is selected, unless its rule is ignored by name.
    chosen |= {r for r in rule_ids if r.startswith("file-")}
    for selector in ignore:
        chosen -= picks(selector)
    return chosen


def build(select: list[str] | None = None, ignore: list[str] | None = None,
          versions: dict[str, str | None] | None = None) -> RuleSet:
    rules, chosen = all_rules(versions)
    active = frozenset(selected(list(rules), select, ignore or []))
    ruleset = RuleSet(rules=rules, active=active, tables=chosen)
    for rule in rules.values():
        if rule.id not in active:
            continue
        for match in rule.matches:
            if match.requires and not tables.satisfied(match.requires, installed.version):
                continue
            for symbol in match.symbols:
                ruleset.by_symbol.setdefault(symbol, []).append((rule, match))
            for method in match.methods:
                ruleset.by_method.setdefault(method, []).append((rule, match))
            for target in match.assigns:
                ruleset.by_assign.setdefault(target, []).append((rule, match))
    calls: dict[str, list[Callable]] = {}
    for node_type, name, handler in handlers():
        if node_type is ast.Dict:
            ruleset.dict_handlers += (handler,)
        else:
            calls.setdefault(name, []).append(handler)
    ruleset.call_handlers = {name: tuple(handlers) for name, handlers in calls.items()}
    return ruleset
