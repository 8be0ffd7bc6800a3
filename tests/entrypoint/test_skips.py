"""No test skips for a reason that is not listed, with why it cannot fire in CI, in tests/skips.toml."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REGISTRY = TESTS / "skips.toml"


def _text(node: ast.AST | None) -> str | None:
    """A literal reason, or the constant start of an f-string; None when the reason is no literal at all."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def _is(call: ast.Call, names: tuple[str, ...]) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in names


def skip_reasons() -> list[tuple[str, int, str | None]]:
    """(file, line, reason) of every pytest.skip / skipif / importorskip in the test suite."""
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if _is(node, ("skip",)) and node.args:
                reason = node.args[0]
            elif _is(node, ("skipif", "skip", "importorskip")):
                reason = next((k.value for k in node.keywords if k.arg == "reason"), None)
            else:
                continue
            found.append((str(path.relative_to(TESTS.parent)), node.lineno, reason))
    return [(where, line, _text(reason) if reason is not None else None) for where, line, reason in found]


def test_every_skip_reason_is_listed_with_why_it_cannot_fire_in_ci():
    listed = tomllib.loads(REGISTRY.read_text(encoding="utf-8"))["skip"]
    assert all(entry.get("in_ci") and entry.get("reason") for entry in listed)
    reasons = [entry["reason"] for entry in listed]
    dynamic = {entry["where"] for entry in listed if entry.get("dynamic")}  # a reason held in a variable
    unlisted = [(where, line, reason) for where, line, reason in skip_reasons()
                if (where not in dynamic if reason is None else
                    not any(reason.startswith(r) or r.startswith(reason) for r in reasons))]
    assert unlisted == [], f"skips without an entry in {REGISTRY.name} (or with a reason that is no literal)"


def test_the_check_finds_a_skip_it_does_not_know(tmp_path):
    planted = tmp_path / "test_planted.py"
    planted.write_text('import pytest\n\ndef test_x():\n    pytest.skip("a reason nobody listed")\n')
    global TESTS
    saved, TESTS = TESTS, tmp_path
    try:
        assert [r for _, _, r in skip_reasons()] == ["a reason nobody listed"]
    finally:
        TESTS = saved


def test_every_listed_skip_names_files_that_exist_and_skip():
    # an entry outlives its skip when a test file moves or stops skipping; the list then vouches for nothing
    root = TESTS.parent
    found = skip_reasons()
    stale = []
    for entry in tomllib.loads(REGISTRY.read_text(encoding="utf-8"))["skip"]:
        for where in (part.strip() for part in entry["where"].split(",")):
            here = [reason for file, _, reason in found if file == where]
            if not (root / where).is_file():
                stale.append((entry["reason"], where, "no such file"))
            elif not entry.get("dynamic") and not any(
                    r and (r.startswith(entry["reason"]) or entry["reason"].startswith(r)) for r in here):
                stale.append((entry["reason"], where, "the file does not skip for it"))
    assert stale == [], f"entries of {REGISTRY.name} that name no skip"
