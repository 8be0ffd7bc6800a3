"""Fuzzing `mlf lint` with mutations of real code: no crash, and no finding lost to an unrelated change.

The seeds are the installed packages' own sources (torch.nn, scikit-learn, MLflow: code written by others, in every
style), read from site-packages at run time. Each fuzzed file is one seed file with one mutation:

- additive (the finding must stay; every seed gets findings planted at a top-level gap first, as the packages'
  own code has few): a statement of odd but valid Python (`-"a"`, `~b"x"`, huge literals, unicode
  names, deep but bounded nesting) under a fresh name, appended or put between two top-level statements. Every
  finding of the seed must still be reported, at its line shifted by the lines put in front of it, or the file
  must be reported as not checked by a bound (counted apart): anything else is a lost finding;
- destructive (only "no crash" is due): delete, duplicate or swap lines, replace a literal with an odd value,
  rename a name to a unicode one, wrap a line in deep nesting, cut the file at a random byte;
- a failing check: a check that raises on a call the seed makes is added to the rule set; the seed's findings must
  all be kept and a file-incomplete warning must name the check (the engine's confinement, at scale).

A crash is an exception out of `engine.check_file`, or a file-incomplete note: an internal error of a check on
code nobody planted a failure in. Seeded `random.Random`: the same files on every run.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import os
import random
import tempfile
import time
from pathlib import Path

import pytest

from mlfcore.entrypoint.lint import engine, rules

from ..reliability import note

RULESET = rules.build()
# Packages whose sources seed the mutations (the ones the project's venv installs; a missing one is left out).
SEED_PACKAGES = ("torch.nn", "sklearn", "mlflow", "torch._dynamo", "torch.optim", "torch.utils.data")
MAX_SEED_BYTES = 256 * 1024  # a few generated files are larger; they add time, not cases
ODD_VALUES = ['-"a"', '~b"x"', "not -None", "-...", "1e400", "0x" + "f" * 3000, repr("é" * 2000), "b'\\xff' * -1",
              "(lambda *a, **k: k)(**{})", "[*()]", "{**{}}", "f'{-1!r:>{9}}'", "()",
              "9 ** 9 ** 9", "'\\N{GREEK SMALL LETTER ALPHA}'", "None.__class__", "[i for i in ()] [::-1]"]
# Findings planted in each seed at a top-level gap, so every seed has findings to lose (the packages' own code has
# few): an error of each kind (a call, an assignment, a keyword that decides) and a warning.
PLANTED = ["import torch as _mlf_torch\n_mlf_torch.use_deterministic_algorithms(False)\n",
           "import torch as _mlf_torch\n_mlf_torch.backends.cudnn.benchmark = True\n",
           "import torch as _mlf_torch\n_mlf_c = _mlf_torch.bincount(_mlf_x, weights=_mlf_w)\n",
           "import os as _mlf_os\n_mlf_files = [open(f) for f in _mlf_os.listdir('.')]\n"]
UNICODE_NAMES = ["naïve", "Δt", "変数", "ñ_𝔵", "ŝtate", "λ_"]


def seed_files() -> list[Path]:
    files: list[Path] = []
    for package in SEED_PACKAGES:
        spec = importlib.util.find_spec(package.split(".")[0])
        if spec is None or spec.origin is None:
            continue
        root = Path(spec.origin).parent.joinpath(*package.split(".")[1:])
        items, _ = engine.discover([root], root)
        files += [Path(path) for _, path in items
                  if path.endswith(".py") and 0 < os.path.getsize(path) <= MAX_SEED_BYTES]
    return sorted(set(files))


@dataclasses.dataclass
class Tally:
    files: int = 0
    lines: int = 0
    seeds: int = 0
    additive: int = 0
    destructive: int = 0
    failing_check: int = 0
    crashes: list = dataclasses.field(default_factory=list)
    lost: list = dataclasses.field(default_factory=list)
    bounded: int = 0  # additive cases whose nesting crossed a bound: reported as not checked, not lost
    findings_kept: int = 0  # seed findings checked for, over the additive and failing-check cases
    not_reached: int = 0  # failing-check cases whose call no check looks at (the planted check never ran)
    wall_s: float = 0.0


def _key(finding) -> tuple:
    return finding.rule, finding.line, finding.col


def _check(source: bytes, ruleset=RULESET, folder: str = "") -> list:
    path = os.path.join(folder, "fuzzed.py")
    with open(path, "wb") as handle:
        handle.write(source)
    try:
        return engine.check_file("fuzzed.py", path, ruleset)[0]
    except Exception as err:  # noqa: BLE001 -- what escapes the engine is a crash; the fuzzer's own bugs are not
        raise Escaped(f"{type(err).__name__}: {err}") from err


class Escaped(Exception):
    """An exception that came out of `engine.check_file`."""


def _odd_statement(rng: random.Random, index: int) -> str:
    """One statement of valid Python that binds only a fresh name, so it cannot change what the seed states."""
    name = f"_mlf_fuzz_{rng.choice(UNICODE_NAMES)}_{index}"
    value = rng.choice(ODD_VALUES)
    shape = rng.randrange(4)
    if shape == 0:
        depth = rng.choice([1, 20, 120, 250])  # 250 crosses the nesting bound: counted as bounded, not lost
        value = "(" * depth + value + ")" * depth
    elif shape == 1:
        value = "-" * rng.choice([1, 50, 150]) + "1"
    elif shape == 2:
        value = f"[{value}] * 0 or {{{value!r}: ({value},)}}"
    return f"{name} = {value}\n"


def _top_level_gaps(tree: ast.Module) -> list[int]:
    """Line numbers after which a statement may go at top level: the start, or after any top-level statement,
    once the `from __future__` imports (which must come first) are past."""
    futures = [i for i, stmt in enumerate(tree.body)
               if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"]
    if not futures:
        return [0, *(stmt.end_lineno for stmt in tree.body)]
    return [stmt.end_lineno for stmt in tree.body[futures[-1]:]]


def _destroy(lines: list[bytes], source: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(7)
    lines = list(lines)
    at = rng.randrange(len(lines))
    if kind == 0:
        del lines[at:at + rng.choice([1, 1, 3, 10])]
    elif kind == 1:
        lines[at:at] = [lines[at]] * rng.choice([1, 2, 50])
    elif kind == 2:
        other = rng.randrange(len(lines))
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == 3:
        candidates = [i for i, line in enumerate(lines) if any(c in line for c in (b"'", b'"', b"0", b"1", b"2"))]
        if candidates:
            at = rng.choice(candidates)
            for old in (b"'", b'"'):
                first = lines[at].find(old)
                end = lines[at].find(old, first + 1)
                if first >= 0 and end > first:
                    lines[at] = lines[at][:first] + rng.choice(ODD_VALUES).encode() + lines[at][end + 1:]
                    break
            else:
                lines[at] = lines[at].replace(b"1", rng.choice(ODD_VALUES).encode(), 1)
    elif kind == 4:
        words = [w for w in lines[at].split() if w.isascii() and w.decode().isidentifier()]
        if words:
            word = rng.choice(words)
            new = rng.choice(UNICODE_NAMES).encode()
            lines = [line.replace(word, new) for line in lines]
    elif kind == 5:
        stripped = lines[at].lstrip()
        indent = lines[at][:len(lines[at]) - len(stripped)]
        depth = rng.choice([30, 150, 400])
        lines[at] = indent + b"(" * depth + stripped.rstrip(b"\n") + b")" * depth + b"\n"
    else:
        return source[:rng.randrange(len(source) + 1)]
    return b"".join(lines)


def _crashed(found: list) -> str | None:
    for finding in found:
        if finding.rule == "file-incomplete":
            return finding.message
    return None


def _failing_ruleset(name: str):
    def planted_failure(*_args):
        raise RuntimeError("planted failure")

    calls = dict(RULESET.call_handlers)
    calls[name] = (planted_failure, *calls.get(name, ()))
    return dataclasses.replace(RULESET, call_handlers=calls)


def _called_names(tree: ast.AST) -> list[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return sorted(names)


def fuzz(count: int, seed: int = 0) -> Tally:
    """Check `count` mutated files, the seeds taken in a shuffled order, round robin."""
    rng = random.Random(seed)
    seeds = seed_files()
    # The test venv (`make venv`) installs them: without seeds this test would check nothing, so it fails.
    assert seeds, "no seed package (torch, scikit-learn, MLflow) is installed: run `make venv`"
    rng.shuffle(seeds)
    tally = Tally()
    baselines: dict[Path, tuple] = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            path = seeds[index % len(seeds)]
            if path not in baselines:
                source = path.read_bytes()
                try:
                    tree = ast.parse(source)
                    at = rng.choice(_top_level_gaps(tree))
                    seed_lines = source.splitlines(keepends=True)
                    if seed_lines and not seed_lines[-1].endswith(b"\n"):
                        seed_lines[-1] += b"\n"
                    source = b"".join(seed_lines[:at]) + rng.choice(PLANTED).encode() + b"".join(seed_lines[at:])
                    tree = ast.parse(source)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    tree = None
                found = _check(source, folder=folder)
                # A seed Python cannot parse (a newer Python's syntax) still counts for the crash checks.
                tally.seeds += 1
                baselines[path] = (source, tree, found if tree is not None and not _crashed(found) else None)
            source, tree, found = baselines[path]
            lines = source.splitlines(keepends=True) or [b"\n"]
            if lines[-1] and not lines[-1].endswith(b"\n"):
                lines[-1] += b"\n"
            mode = index % 10
            tally.files += 1
            tally.lines += len(lines)
            try:
                if found is not None and mode < 4:
                    tally.additive += 1
                    gaps = _top_level_gaps(tree)
                    after = rng.choice(gaps + [len(lines)])
                    added = _odd_statement(rng, index).encode()
                    shift = added.count(b"\n")
                    mutated = b"".join(lines[:after]) + added + b"".join(lines[after:])
                    now = _check(mutated, folder=folder)
                    if any(engine.incomplete(f) and f.rule == "file-skipped" for f in now):
                        tally.bounded += 1
                        continue
                    kept = {_key(f) for f in now}
                    expected = {(f.rule, f.line + (shift if f.line > after else 0), f.col) for f in found}
                    tally.findings_kept += len(expected & kept)
                    if expected - kept or _crashed(now):
                        tally.lost.append((str(path), after, added[:200], sorted(expected - kept), _crashed(now)))
                elif found is not None and mode == 4:
                    tally.failing_check += 1
                    names = _called_names(tree)
                    if not names:
                        tally.not_reached += 1
                        continue
                    name = rng.choice(names)
                    now = _check(source, _failing_ruleset(name), folder=folder)
                    notes = [f for f in now if f.rule == "file-incomplete"]
                    if not notes:
                        tally.not_reached += 1
                        continue
                    kept = {_key(f) for f in now}
                    tally.findings_kept += len({_key(f) for f in found} & kept)
                    if {_key(f) for f in found} - kept or not all("planted_failure" in n.message for n in notes):
                        tally.lost.append((str(path), f"failing check on {name}()",
                                           sorted({_key(f) for f in found} - kept), [n.message for n in notes]))
                else:
                    tally.destructive += 1
                    mutated = _destroy(lines, source, rng)
                    message = _crashed(_check(mutated, folder=folder))
                    if message:
                        tally.crashes.append((str(path), message))
            except Escaped as err:
                tally.crashes.append((str(path), str(err)))
    tally.wall_s = time.perf_counter() - start
    return tally


def _assert_clean(tally: Tally) -> None:
    assert not tally.crashes, tally.crashes[:5]
    assert not tally.lost, tally.lost[:5]
    # The confinement is only tested when the planted check ran: most cases must reach it.
    assert tally.failing_check == 0 or tally.not_reached < tally.failing_check / 2, tally
    assert tally.findings_kept > 0, "no seed had a finding: the lost-finding check checked nothing"


def test_mutated_real_code_never_crashes_or_loses_a_finding():
    tally = fuzz(300, seed=1)
    _assert_clean(tally)
    note("fuzzing", "lint: mutations of real code (quick)", "no crash, no lost finding", tally.files)


# 50,000 mutated files of real code (21 M lines): about 5 minutes on 2 busy cores, too long for every CI run
@pytest.mark.heavy
def test_fifty_thousand_mutated_real_files():
    tally = fuzz(int(os.environ.get("MLF_FUZZ_FILES", "50000")), seed=2)
    print(f"\nfuzzed files: {tally.files:,} ({tally.lines:,} lines, {tally.seeds:,} seed files): "
          f"additive {tally.additive:,} (bounded {tally.bounded:,}), destructive {tally.destructive:,}, "
          f"failing check {tally.failing_check:,} (not reached {tally.not_reached:,}); "
          f"{tally.findings_kept:,} seed findings kept; crashes {len(tally.crashes)}, lost findings {len(tally.lost)}; "
          f"{tally.wall_s:.0f} s")
    # Not noted in docs/RELIABILITY.md: its figures (command, counts, time) are in docs/lint.md.
    _assert_clean(tally)
