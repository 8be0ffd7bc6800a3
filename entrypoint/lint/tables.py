"""Rule tables are data: one TOML file per framework and pinned version, in the framework's folder
(frameworks/torch/tables/torch-2.13.toml, named by its lint part's TABLES); the generic contract breakers are
lint/data/contract.toml, and each framework's own are `contract.toml` beside its versioned tables.

A table lists rules; each rule has an id, a message (why), a fix, the documentation bullets it stands for, and
matches (which calls, methods or assignments trigger it, under which argument conditions). Severity, when left
out, follows the framework's documentation: ops that raise under the determinism switch are `error`, ops the
switch replaces by a deterministic implementation are `info`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .model import SEVERITIES, Condition, DocEntry, Match, Rule

DATA = Path(__file__).with_name("data")  # the generic tables: contract.toml
_NAME = re.compile(r"^(?P<framework>[a-z]+)-(?P<version>\d+(?:\.\d+)*)\.toml$")
_TESTS = ("given", "absent", "in", "not_in", "none")
FACTS = frozenset({"2d", "integer"})
ONLY_FACTS = frozenset({"quantized"})  # facts a rule needs stated before it fires (`only`)
_REQUIRES = re.compile(r"^(?P<name>[a-z_]+)\s*(?P<op><|>=)\s*(?P<version>\d+(?:\.\d+)*)$")


def folder(framework: str) -> Path:
    """The folder of `framework`'s tables (its lint part's TABLES)."""
    from .framework_parts import lint_parts

    return dict(lint_parts())[framework].TABLES


def versions(framework: str) -> list[str]:
    """The versions with a table for `framework`, oldest first."""
    found = []
    for path in folder(framework).glob(f"{framework}-*.toml"):
        matched = _NAME.match(path.name)
        if matched and matched["framework"] == framework:
            found.append(matched["version"])
    return sorted(found, key=version_key)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def pick(framework: str, installed: str | None, requested: str | None = None) -> str:
    """The table for `requested` (exact major.minor, else a usage error), else for the installed version: the
    newest table not newer than it (a newer install falls back to the newest table), else the newest table."""
    known = versions(framework)
    if not known:
        raise UsageError(f"no {framework} rule table in {folder(framework)}")
    if requested is not None:
        wanted = ".".join(str(n) for n in version_key(requested)[:2])
        if wanted not in known:
            raise UsageError(f"no {framework} rule table for version {requested!r}",
                             hint=f"tables exist for: {', '.join(known)}")
        return wanted
    if installed is None:
        return known[-1]
    key = version_key(installed)[:2]
    older = [v for v in known if version_key(v) <= key]
    return older[-1] if older else known[0]


def load(framework: str, version: str) -> tuple[Rule, ...]:
    return load_file(folder(framework) / f"{framework}-{version}.toml", framework)


@lru_cache(maxsize=None)
def load_file(path: Path, framework: str) -> tuple[Rule, ...]:
    """The rules of one table file (a framework's versioned table, or a contract.toml)."""
    return parse(_document(path), framework, str(path))


def _document(path: Path) -> dict[str, Any]:
    """The table's TOML as a dict, through a JSON copy in the user cache keyed by the TOML's own SHA-256.

    Every `mlf run` lints first, and tomllib (pure Python) took most of an empty project's lint: 70 of 92 ms to
    parse these 37 KB (cProfile of lint_project); json's C parser reads the same document in about 1 ms. A cache
    that cannot be read or written is skipped: it only saves time."""
    import hashlib
    import json

    from ..cachedir import user_cache

    text = path.read_bytes()
    cached = user_cache() / "lint-tables" / f"{path.stem}-{hashlib.sha256(text).hexdigest()[:32]}.json"
    try:
        return json.loads(cached.read_bytes())
    except (OSError, ValueError):
        pass
    import tomllib  # only without a cached copy: its import is part of every `mlf run`'s start-up otherwise

    document = tomllib.loads(text.decode("utf-8"))
    try:
        from ..files import write_atomically

        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(cached, json.dumps(document))
    except (OSError, UsageError, TypeError):  # TypeError: a TOML date, which JSON cannot hold
        pass
    return document


def parse(document: dict[str, Any], framework: str, where: str) -> tuple[Rule, ...]:
    rules = []
    for entry in document.get("rule", []):
        docs = tuple(DocEntry(d["list"], " ".join(d["text"].split())) for d in entry.get("docs", []))
        severity = entry.get("severity") or ("error" if any(d.list == "raises" for d in docs) else "info")
        if severity not in SEVERITIES:
            raise ValueError(f"{where}: rule {entry['id']}: unknown severity {severity!r}")
        matches = tuple(_match(m, framework, where, entry["id"]) for m in entry.get("match", []))
        unless = tuple(entry.get("unless", ()))
        if set(unless) - FACTS:
            raise ValueError(f"{where}: rule {entry['id']}: unknown facts {sorted(set(unless) - FACTS)}")
        only = tuple(entry.get("only", ()))
        if set(only) - ONLY_FACTS:
            raise ValueError(f"{where}: rule {entry['id']}: unknown facts {sorted(set(only) - ONLY_FACTS)}")
        rules.append(Rule(id=entry["id"], severity=severity, message=" ".join(entry["message"].split()),
                          fix=" ".join(entry["fix"].split()), matches=matches, docs=docs, framework=framework,
                          note=entry.get("note", ""), device=entry.get("device", "any"),
                          backward=bool(entry.get("backward", False)), input=entry.get("input", ""),
                          unless=unless, only=only, docstring_error=" ".join(entry.get("docstring_error", "").split())))
    return tuple(rules)


def _match(entry: dict[str, Any], framework: str, where: str, rule_id: str) -> Match:
    return Match(symbols=tuple(entry.get("symbols", ())), methods=tuple(entry.get("methods", ())),
                 assigns=tuple(entry.get("assigns", ())), params=tuple(entry.get("params", ())),
                 when=tuple(_condition(c, where, rule_id) for c in entry.get("when", ())),
                 framework=entry.get("framework", framework),
                 requires=tuple(_requires(r, where, rule_id) for r in entry.get("requires", ())))


def _requires(text: str, where: str, rule_id: str) -> tuple[str, str, str]:
    matched = _REQUIRES.match(text)
    if matched is None:
        raise ValueError(f"{where}: rule {rule_id}: `requires` entries look like \"keras<3\": {text!r}")
    return matched["name"], matched["op"], matched["version"]


def satisfied(requires: tuple[tuple[str, str, str], ...], installed) -> bool:
    """Whether the installed versions (`installed(name)` → version or None) meet every requirement; a package
    that is not installed meets none."""
    for name, op, version in requires:
        found = installed(name)
        if found is None:
            return False
        below = version_key(found) < version_key(version)
        if below != (op == "<"):
            return False
    return True


def _condition(entry: dict[str, Any], where: str, rule_id: str) -> Condition:
    tests = [t for t in _TESTS if t in entry]
    if len(tests) != 1 or "arg" not in entry:
        raise ValueError(f"{where}: rule {rule_id}: a condition needs `arg` and one of {_TESTS}: {entry}")
    test = tests[0]
    values = tuple(entry[test]) if test in ("in", "not_in") else ()
    return Condition(arg=entry["arg"], test=test, values=values, default=entry.get("default"),
                     has_default="default" in entry, unknown_holds=entry.get("unknown", "maybe") != "no")
