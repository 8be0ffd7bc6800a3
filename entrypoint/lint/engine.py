"""Find the Python files, check them in parallel, never crash on one: every file becomes findings or a note.

Each file is read once as bytes and parsed once (`ast.parse` on bytes honours PEP 263 coding lines and the BOM);
the walk is lint/checker.py. Files go to a process pool sized to the cores this process may use; small runs stay
in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import ast
import errno
import fnmatch
import gc
import os
import threading
from pathlib import Path
from typing import Iterable

from ..errors import UsageError
from . import checker, notebook
from .model import Finding, Rule
from .rules import RuleSet, files as file_rules

# Folders no project wants linted: tools' caches, virtual environments, VCS data, build output.
DEFAULT_EXCLUDE_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__",
                                  ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules", "site-packages",
                                  ".eggs", "build", "dist"})
# A Python file this large is generated data, not code someone trains with; parsing it would take seconds and
# hundreds of MB (the largest file in torch 2.13 is 1.1 MB).
MAX_BYTES = 16 * 1024 * 1024
SUFFIXES = (".py", ".ipynb")  # notebooks: their code cells (lint/notebook.py)
# Below this many files, a pool costs more than it saves (starting 2 workers: ~50 ms; a file: ~1 ms).
PARALLEL_MIN_FILES = 32
# ... and below this many bytes: 50 files of 5,000 lines (160 kB) took 17 ms of CPU in one process but 154 ms wall
# through the pool of 2 (benchmarks/bench_startup.py pre_run, load 7.5); mlf lint checks ~150,000 lines per CPU
# second, so 1 MB (~30,000 lines) is ~200 ms of work, which 2 workers start to pay back.
PARALLEL_MIN_BYTES = 1 << 20

_RULESET: RuleSet | None = None  # the worker's rule set, set by _init


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def discover(paths: Iterable[Path], base: Path, exclude: Iterable[str] = ()) -> tuple[list[tuple[str, str]],
                                                                                      list[Finding]]:
    """(display path, real path) of every Python file under `paths`, and notes for what could not be walked.
    A path that does not exist is a usage error. Symlinked folders are followed once (loops end there)."""
    exclude = tuple(exclude)
    found: list[tuple[str, str]] = []
    notes: list[Finding] = []
    seen_dirs: set[tuple[int, int]] = set()
    for given in paths:
        if not os.path.lexists(given):
            raise UsageError(f"no such file or folder: {given}", hint="check the path")
        if not os.path.isdir(given):
            found.append((_display(given, base), str(given)))
            continue
        root = Path(given)
        for folder, dirs, names in os.walk(root, followlinks=True, onerror=lambda e: notes.append(
                _note(_display(Path(e.filename or root), base), f"cannot read folder: {e.strerror}"))):
            try:
                stat = os.stat(folder)
            except OSError as err:
                notes.append(_note(_display(Path(folder), base), f"cannot read folder: {err.strerror}"))
                dirs[:] = []
                continue
            if (stat.st_dev, stat.st_ino) in seen_dirs:
                notes.append(_note(_display(Path(folder), base), "folder already checked through another path "
                                   "(a symlink loop or a second link): skipped"))
                dirs[:] = []
                continue
            seen_dirs.add((stat.st_dev, stat.st_ino))
            relative = Path(folder).relative_to(root)
            dirs[:] = sorted(d for d in dirs if d not in DEFAULT_EXCLUDE_DIRS
                             and not _excluded((relative / d).as_posix(), d, exclude))
            for name in sorted(names):
                if name.endswith(SUFFIXES) and not _excluded((relative / name).as_posix(), name, exclude):
                    path = Path(folder) / name
                    found.append((_display(path, base), str(path)))
    return found, notes


def _excluded(relative: str, name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) or relative.startswith(p.rstrip("/") + "/")
               for p in patterns)


def _display(path: Path | str, base: Path) -> str:
    path = Path(path)
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return path.as_posix()


def _note(path: str, message: str, rule: Rule = file_rules.SKIPPED, line: int = 1, col: int = 1) -> Finding:
    return Finding(path, line, col, rule.id, rule.severity, "", message, rule.fix)


def check_file(display: str, path: str, ruleset: RuleSet) -> tuple[list[Finding], int]:
    """The findings of one file and its line count. Nothing a file contains makes this raise."""
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            return [_note(display, f"larger than {MAX_BYTES // 2**20} MB ({size} bytes): not checked")], 0
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as err:
        reason = "symlink loop" if err.errno == errno.ELOOP else err.strerror
        return [_note(display, f"cannot read file: {reason}")], 0
    if path.endswith(".ipynb"):
        return notebook.check(display, source, lambda name, code: _parse_and_check(name, code, ruleset))
    lines = source.count(b"\n") + (1 if source and not source.endswith(b"\n") else 0)
    if not source.strip():
        return [], lines
    collecting = gc.isenabled()
    # An AST holds no reference cycles, so reference counting frees it; the cyclic collector would only rescan
    # the hundreds of thousands of nodes a big file allocates. Measured on torch/_inductor (252k lines): parse
    # 4.8-5.3 s with the collector on, 3.7-3.8 s off.
    gc.disable()
    try:
        return _parse_and_check(display, source, ruleset), lines
    finally:
        if collecting:
            gc.enable()


def _parse_and_check(display: str, source: bytes, ruleset: RuleSet) -> list[Finding]:
    try:
        tree = ast.parse(source, filename=display)
    except SyntaxError as err:
        text = str(err.msg)
        if "codec can't decode" in text or "unknown encoding" in text or "encoding problem" in text:
            return [_note(display, f"cannot decode: {text}", file_rules.ENCODING, max(err.lineno or 1, 1))]
        return [_note(display, f"syntax error: {text}", file_rules.SYNTAX, err.lineno or 1, err.offset or 1)]
    except ValueError as err:  # Python 3.11: "source code string cannot contain null bytes"
        return [_note(display, f"syntax error: {err}", file_rules.SYNTAX)]
    except (RecursionError, MemoryError) as err:
        return [_note(display, f"too deeply nested to parse ({type(err).__name__}): not checked")]
    try:
        return checker.finish(checker.check_tree(tree, display, ruleset), source)
    except Exception as err:  # noqa: BLE001 -- the one isolation boundary: a bug in a rule costs one file, not the
        # run (the quality bar: every other file is still checked). The note names the error to report.
        return [_note(display, f"not checked: internal error in mlf lint ({type(err).__name__}: {err}); "
                               "please report it with this file")]


def _init(ruleset: RuleSet) -> None:
    global _RULESET
    _RULESET = ruleset


def _check_in_worker(item: tuple[str, str]) -> tuple[list[Finding], int]:
    assert _RULESET is not None
    return check_file(item[0], item[1], _RULESET)


def _total_bytes(items: list[tuple[str, str]]) -> int:
    total = 0
    for _, path in items:
        try:
            total += os.path.getsize(path)
        except OSError:  # check_file reports it
            pass
    return total


def check_files(items: list[tuple[str, str]], ruleset: RuleSet, jobs: int | None = None) -> tuple[list[Finding],
                                                                                                  int]:
    """All findings and the total line count of `items`, checked on `jobs` processes (default: the cores)."""
    jobs = cores() if jobs is None else max(1, jobs)
    findings: list[Finding] = []
    total = 0
    if jobs == 1 or len(items) < PARALLEL_MIN_FILES or _total_bytes(items) < PARALLEL_MIN_BYTES:
        results = (check_file(display, path, ruleset) for display, path in items)
        for found, lines in results:
            findings += found
            total += lines
        return findings, total
    from concurrent.futures import ProcessPoolExecutor  # here: a small project never pays for the import

    # Biggest files first, in small chunks, so no worker is left alone with a large file (or a chunk of the
    # largest ones) at the end. A chunk costs one round trip, ~0.1 ms: 8 files per chunk makes that noise.
    ordered = sorted(items, key=lambda item: _size(item[1]), reverse=True)
    chunk = max(1, min(8, len(ordered) // (jobs * 64)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init,
                             initargs=(ruleset,)) as pool:
        for found, lines in pool.map(_check_in_worker, ordered, chunksize=chunk):
            findings += found
            total += lines
    return findings, total


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _context():
    import multiprocessing

    # fork is the cheapest start, but forking a process that runs threads (a caller that imported torch) can
    # deadlock the child; then use forkserver.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
