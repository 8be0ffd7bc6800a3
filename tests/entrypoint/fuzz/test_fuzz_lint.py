"""Property-based fuzzing of `mlf lint`: no input makes it raise, and no input makes a finding vanish.

The planted finding is `torch.use_deterministic_algorithms(False)` (an error). Whatever surrounds it, a file that
parses reports it, and a file that does not is reported (syntax, encoding, a bound): never silently nothing.
derandomize=True: the same cases on every run, so CI results never depend on luck.
"""

from __future__ import annotations

import ast
import io
import tempfile
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mlfcore.entrypoint.lint import engine, rules

from ..reliability import note

PLANTED = "import torch\ntorch.use_deterministic_algorithms(False)\n"
RULE = "contract-deterministic-algorithms-off"
REPORTED = {"file-syntax", "file-encoding"}
FUZZ = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)

# Statement fragments users (and hostile users) write: framework calls, odd operands, strings, comprehensions,
# decorators, star-args, walrus, match, lambdas, f-strings, bytes, unicode names.
ATOMS = ['-"str"', '~"s"', '-b"x"', 'not -"s"', "-None", "...", "1e400", "0x1", "'é'", 'b"\\xff"',
         'f"{x!r:>{w}}"', "lambda *a, **k: a", "[i for i in range(3) if i]", "{**d}", "()",
         "torch.manual_seed(0)", "torch.backends.cudnn.benchmark", "np.random.rand(3)", "x.cuda()",
         "torch.nn.functional.interpolate(x, mode='bilinear')", "tf.random.uniform([1])", "xgb.train({}, d)",
         "random.random()", "os.listdir('.')", "set([1, 2])", "hash('a')", "time.time()", "__import__('torch')",
         "getattr(torch, 'use_deterministic_algorithms')", "torch.use_deterministic_algorithms(True)", "d[x]",
         "a if b else c", "(x := 3)", "x[1:2, ...]", "*a, b = c", "x", "'''doc'''"]
STATEMENTS = ["x = {}", "{}", "assert {}", "del x",
              "if {}:\n    pass", "for i in {}:\n    break", "def f(a={}):\n    return a", "class C:\n    y = {}",
              "with {} as y:\n    pass", "try:\n    {}\nexcept Exception:\n    pass", "@decorator\ndef g():\n    {}",
              "match {}:\n    case 1:\n        pass", "while {}:\n    continue", "x: int = {}", "print({}, sep='')",
              "# mlf: ignore\n{}", "{}  # mlf: ignore[torch-cumsum]", "global x\nx = {}", "async def h():\n    {}"]


def _check(source: bytes) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.py"
        path.write_bytes(source)
        found, _ = engine.check_file("fuzzed.py", str(path), RULESET)
    return found


RULESET = rules.build()


def _kept_or_reported(found: list) -> bool:
    ids = {f.rule for f in found}
    return RULE in ids or bool(ids & REPORTED) or any(engine.incomplete(f) for f in found)


statement = st.builds(lambda s, a: s.format(a), st.sampled_from(STATEMENTS), st.sampled_from(ATOMS))


@settings(**FUZZ, max_examples=2500)
@given(st.lists(statement, max_size=12), st.integers(min_value=0, max_value=12))
def test_generated_sources_keep_the_planted_finding(counter, statements, where):
    counter.append(1)
    statements.insert(min(where, len(statements)), PLANTED)
    found = _check("\n".join(statements).encode())
    assert _kept_or_reported(found), [f.rule for f in found]
    # Valid Python must keep it outright: a finding may not vanish behind a syntax note it did not cause.
    try:
        ast.parse("\n".join(statements))
    except SyntaxError:
        return
    assert RULE in {f.rule for f in found}


@settings(**FUZZ, max_examples=2000)
@given(st.binary(max_size=2048), st.booleans())
def test_random_bytes_never_raise_and_never_hide_the_planted_finding(counter, junk, first):
    counter.append(1)
    source = PLANTED.encode() + junk if first else junk + b"\n" + PLANTED.encode()
    assert _kept_or_reported(_check(source))


CODINGS = ["utf-8", "latin-1", "idna", "utf-16", "ascii", "cp1252", "punycode", "rot13", "unknown-codec", "utf-8-sig",
           "raw_unicode_escape", "unicode_escape", "utf-7"]


@settings(**FUZZ, max_examples=600)
@given(st.sampled_from(CODINGS), st.text(max_size=40))
def test_coding_lines_never_hide_the_planted_finding(counter, coding, text):
    counter.append(1)
    source = f"# coding: {coding}\n# {text}\n".encode("utf-8", "surrogatepass") + PLANTED.encode()
    # A codec may change what the planted lines say (unicode_escape joins "# \\" with the next line): Python reads
    # the file the same way, so the finding is due only when the decoded text still holds them.
    try:
        assume(PLANTED in source.decode(tokenize.detect_encoding(
            io.BytesIO(source).readline)[0]))
    except (SyntaxError, LookupError, UnicodeError):
        pass  # undecodable: the file must then be reported
    assert _kept_or_reported(_check(source))


@settings(**FUZZ, max_examples=400)
@given(st.sampled_from(["(", "[", "{", "-", "not ", "~", "a.", "lambda: ", "f("]), st.integers(0, 3000))
def test_deep_nesting_is_bounded_and_never_hides_the_planted_finding(counter, opener, depth):
    counter.append(1)
    closer = {"(": ")", "[": "]", "{": "}", "f(": ")"}.get(opener, "")
    source = PLANTED + "x = " + opener * depth + "1" + closer * depth + "\n"
    assert _kept_or_reported(_check(source.encode()))


@settings(**FUZZ, max_examples=150)
@given(st.integers(0, 300_000), st.sampled_from(["1+", "'a'", "x,", "# ", " "]))
def test_long_lines_are_bounded_and_never_hide_the_planted_finding(counter, length, unit):
    counter.append(1)
    line = (unit * (length // len(unit) + 1))[:length]
    source = PLANTED + "x = [" + line.rstrip("+,") + "]\n"
    assert _kept_or_reported(_check(source.encode()))


@pytest.fixture
def counter(request):
    """Counts the generated cases of one fuzz test; the count goes to the reliability record."""
    cases: list[int] = []
    yield cases
    note("fuzzing", f"lint: {request.node.name.removeprefix('test_').replace('_', ' ')}",
         "no exception, no vanished finding", len(cases))
