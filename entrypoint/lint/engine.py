"""Find the Python files, check them in parallel, never crash on one: every file becomes findings or a note.

Each file is read once as bytes and parsed once (`ast.parse` on bytes honours PEP 263 coding lines and the BOM);
the walk is lint/checker.py. Files are shared among as many processes as this process may use cores, this one
included (lint/forked.py); small runs stay in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import ast
import dataclasses
import errno
import fnmatch
import gc
import os
import re
import stat as stat_module
import warnings
from pathlib import Path
from typing import Iterable

from .. import processes
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
# Work per file is bounded by size, line length and nesting, never by time (results must not depend on load).
# The longest line in torch 2.13's own sources is 1,386 characters; a 258 KB line cost 1.55 GB before this bound
# (tokenize and the suppression scan grow with the square of a line's length).
MAX_LINE_BYTES = 64 * 1024
# CPython's parser refuses more than 200 nested brackets ("too many nested parentheses", its tokenizer's MAXLEVEL):
# such a file is reported as too deeply nested, not as a syntax error, since it may be valid Python another parser
# reads. A longer chain of unary operators or attributes recurses in ast.parse: RecursionError, reported the same.
MAX_NESTING = 200
# The phrases that mark a note about a file that was not checked completely (the pre-run gate and `mlf lint`'s exit
# code read them): each note below contains one.
INCOMPLETE_PHRASES = ("internal error", "larger than", "too deeply nested")
# Below this many files, a pool costs more than it saves (starting 2 workers: ~50 ms; a file: ~1 ms).
PARALLEL_MIN_FILES = 32
# ... and below this many bytes: 50 files of 5,000 lines (160 kB) took 17 ms of CPU in one process but 154 ms wall
# through the pool of 2 (benchmarks/bench_startup.py pre_run, load 7.5); mlf lint checks ~150,000 lines per CPU
# second, so 1 MB (~30,000 lines) is ~200 ms of work, which 2 workers start to pay back.
PARALLEL_MIN_BYTES = 1 << 20

_RULESET: RuleSet | None = None  # the worker's rule set, set by _init


def incomplete(finding: Finding) -> bool:
    """Whether `finding` says its file was not checked completely (a rule's internal error, a size bound)."""
    return finding.rule == file_rules.INCOMPLETE.id or (
        finding.rule == file_rules.SKIPPED.id and any(p in finding.message for p in INCOMPLETE_PHRASES))


def _special(path: str) -> str | None:
    """What `path` is when it is no regular file (reading a FIFO blocks forever, /dev/zero never ends)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # check_file reports why it cannot be read
    if stat_module.S_ISREG(mode) or stat_module.S_ISDIR(mode):
        return None
    return ("a FIFO" if stat_module.S_ISFIFO(mode) else "a device" if stat_module.S_ISCHR(mode) or
            stat_module.S_ISBLK(mode) else "a socket" if stat_module.S_ISSOCK(mode) else "not a regular file")


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
            kind = _special(str(given))
            if kind:
                notes.append(_note(_display(given, base), f"{kind}, not a regular file: skipped"))
            else:
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
                    kind = _special(str(path))
                    if kind:
                        notes.append(_note(_display(path, base), f"{kind}, not a regular file: skipped"))
                    else:
                        found.append((_display(path, base), str(path)))
    return found, notes


def _excluded(relative: str, name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) or relative.startswith(p.rstrip("/") + "/")
               for p in patterns)


def _display(path: Path | str, base: Path) -> str:
    path = Path(path)
    try:
        shown = Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        shown = path.as_posix()
    # A file name that is not UTF-8 decodes to lone surrogates, which no report (SARIF's URI quoting, JSON for
    # other tools) can encode: show its bytes escaped instead (the real path is kept for reading).
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _note(path: str, message: str, rule: Rule = file_rules.SKIPPED, line: int = 1, col: int = 1) -> Finding:
    return Finding(path, line, col, rule.id, rule.severity, "", message, rule.fix)


def check_file(display: str, path: str, ruleset: RuleSet) -> tuple[list[Finding], int]:
    """The findings of one file and its line count. Nothing a file contains makes this raise."""
    try:
        source = _read_regular(path)
    except OSError as err:
        reason = "symlink loop" if err.errno == errno.ELOOP else err.strerror
        return [_note(display, f"cannot read file {display}: {reason}; not checked", file_rules.UNREADABLE)], 0
    if isinstance(source, str):
        return [_note(display, source)], 0
    if path.endswith(".ipynb"):
        return notebook.check_cells(display, source, lambda name, code: _parse_and_check(name, code, ruleset))
    lines = source.count(b"\n") + (1 if source and not source.endswith(b"\n") else 0)
    if not source.strip():
        return [], lines
    bound = _over_bounds(source)
    if bound:
        return [_note(display, f"{bound}: not checked")], lines
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


def _read_regular(path: str) -> bytes | str:
    """The bytes of the regular file at `path`, or why it was not read. Opened without blocking and checked on the
    open descriptor, so a FIFO swapped in after discovery cannot stall the run; read up to the size bound only."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(handle)
        if not stat_module.S_ISREG(info.st_mode):
            return "not a regular file (a FIFO or a device): skipped"
        if info.st_size > MAX_BYTES:
            return f"larger than {MAX_BYTES // 2**20} MB ({info.st_size} bytes): not checked"
        with os.fdopen(handle, "rb", closefd=False) as stream:
            source = stream.read(MAX_BYTES + 1)
    finally:
        os.close(handle)
    if len(source) > MAX_BYTES:  # grew while we read
        return f"larger than {MAX_BYTES // 2**20} MB: not checked"
    return source


def _over_bounds(source: bytes) -> str | None:
    """Which bound `source` exceeds before it is parsed, if any: line length. Linear in the file's size and run
    in C (split, len): a line-by-line loop in Python here cost a fifth of the whole check (torch/nn, profiled).
    Nesting is the parser's own bound (`_parse_and_check`)."""
    longest = max(map(len, source.split(b"\n")))
    if longest > MAX_LINE_BYTES:
        start = 0
        while True:  # only for a file over the bound: which line it is
            end = source.find(b"\n", start)
            end = len(source) if end < 0 else end
            if end - start > MAX_LINE_BYTES:
                line = source.count(b"\n", 0, start) + 1
                return f"line {line} is larger than {MAX_LINE_BYTES // 1024} KB ({end - start} bytes)"
            start = end + 1
    return None


class _RuleFailure:
    """Wraps one rule handler: an exception in it is recorded and the walk goes on with the other rules."""

    def __init__(self, handler, failures: list[tuple[str, BaseException]]) -> None:
        self.handler, self.failures = handler, failures
        self.name = f"{getattr(handler, '__module__', '?').rsplit('.', 1)[-1]}.{getattr(handler, '__name__', '?')}"

    def __call__(self, *args):
        try:
            return self.handler(*args)
        except Exception as err:  # noqa: BLE001 -- isolation per rule: its finding is lost, nothing else
            self.failures.append((self.name, err))
            return None


def _isolated(ruleset: RuleSet, failures: list) -> RuleSet:
    return dataclasses.replace(
        ruleset, dict_handlers=tuple(_RuleFailure(h, failures) for h in ruleset.dict_handlers),
        call_handlers={name: tuple(_RuleFailure(h, failures) for h in handlers)
                       for name, handlers in ruleset.call_handlers.items()})


def _as_utf8(source: bytes) -> bytes:
    """`source` re-encoded as UTF-8 with its coding line neutralised, line numbers kept: for showing lines when the
    declared codec cannot (idna refuses errors="replace")."""
    try:
        text = source.decode(checker_encoding(source))
    except (LookupError, UnicodeError, SyntaxError):
        text = source.decode("utf-8", errors="replace")
    lines = text.split("\n")
    for number in range(min(2, len(lines))):
        lines[number] = re.sub(r"coding[:=]", "coding-", lines[number])
    return "\n".join(lines).encode("utf-8")


def checker_encoding(source: bytes) -> str:
    import io
    import tokenize

    return tokenize.detect_encoding(io.BytesIO(source).readline)[0]


def _finish(found, source: bytes, display: str) -> list[Finding]:
    try:
        return checker.finish(found, source)
    except Exception:  # noqa: BLE001 -- showing the lines failed: keep every finding, shown from UTF-8
        return checker.finish(found, _as_utf8(source))


def _parse_and_check(display: str, source: bytes, ruleset: RuleSet) -> list[Finding]:
    try:
        # The parser warns about what the code would do when run (an invalid escape, `1if x`): the user's terminal
        # is for findings, and the code is never run here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=display)
    except SyntaxError as err:
        text = str(err.msg)
        if "too many nested parentheses" in text:
            return [_note(display, f"too deeply nested (more than {MAX_NESTING} brackets, line {err.lineno}): "
                                   "not checked", line=max(err.lineno or 1, 1))]
        if "codec can't decode" in text or "unknown encoding" in text or "encoding problem" in text:
            return [_note(display, f"cannot decode: {text}", file_rules.ENCODING, max(err.lineno or 1, 1))]
        return [_note(display, f"syntax error: {text}", file_rules.SYNTAX, err.lineno or 1, err.offset or 1)]
    except ValueError as err:  # Python 3.11: "source code string cannot contain null bytes"
        return [_note(display, f"syntax error: {err}", file_rules.SYNTAX)]
    except (RecursionError, MemoryError) as err:
        return [_note(display, f"too deeply nested to parse ({type(err).__name__}): not checked")]
    try:
        found = checker.check_tree(tree, display, ruleset)
    except Exception:  # noqa: BLE001 -- a rule failed: walk again with each rule isolated, keep the others'
        # The second walk confines a failure to one check: a table rule on one node, a visitor on one node, a
        # handler, a finisher (checker.check_tree's `failures`); everything else of the file is kept.
        failures: list[tuple[str, BaseException]] = []
        try:
            found = checker.check_tree(tree, display, _isolated(ruleset, failures), failures=failures)
        except Exception as err:  # noqa: BLE001 -- the walk itself failed: the file is reported incomplete
            return [_note(display, f"internal error in mlf lint's checker ({type(err).__name__}: {err}): "
                                   "not checked; please report it with this file", file_rules.INCOMPLETE)]
        first: dict[str, tuple[BaseException, int]] = {}
        for name, err in failures:
            line = getattr(err, "mlf_line", 1)
            first.setdefault(name, (err, line))
        notes = [_note(display, f"incomplete: internal error in check {name} ({type(err).__name__}: {err}) at line "
                                f"{line}; its findings are missing, the other checks' are kept; please report it "
                                "with this file", file_rules.INCOMPLETE, line)
                 for name, (err, line) in first.items()]
        return _finish(found, source, display) + notes
    return _finish(found, source, display)


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
    findings: list[Finding] = []
    total = 0
    for found, lines in check_each(items, ruleset, jobs):
        findings += found
        total += lines
    return findings, total


def check_each(items: list[tuple[str, str]], ruleset: RuleSet, jobs: int | None = None) -> list[tuple[list[Finding],
                                                                                                         int]]:
    """The findings and line count of each of `items`, in their order, checked on `jobs` processes."""
    # More processes than CPUs only cost memory: 100,000 asked for started 6,105 processes and exhausted 24 GB.
    jobs = cores() if jobs is None else max(1, min(jobs, cores()))
    if jobs == 1 or len(items) < PARALLEL_MIN_FILES or _total_bytes(items) < PARALLEL_MIN_BYTES:
        return [check_file(display, path, ruleset) for display, path in items]
    # Biggest files first, so no process is left alone with a large file at the end.
    order = sorted(range(len(items)), key=lambda index: _size(items[index][1]), reverse=True)
    context = processes.context()
    if context.get_start_method() == "fork":
        from . import forked

        return forked.check(items, order, lambda item: check_file(item[0], item[1], ruleset), jobs)
    from concurrent.futures import ProcessPoolExecutor  # here: a small project never pays for the import

    # A process with threads cannot fork safely: a pool of workers started by forkserver or spawn. Chunks of up to
    # 8 files: a chunk costs one round trip, ~0.1 ms, which 8 files make noise.
    chunk = max(1, min(8, len(order) // (jobs * 64)))
    results: list = [None] * len(items)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init,
                             initargs=(ruleset,)) as pool:
        for index, result in zip(order, pool.map(_check_in_worker, [items[i] for i in order], chunksize=chunk)):
            results[index] = result
    return results


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
