"""The linter cannot be bypassed or stalled: a failing rule loses its own finding only, special files are skipped,
work per file is bounded, --jobs is capped at the CPUs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mlfcore.entrypoint.lint import engine, rules

from ..conftest import MLF, clean_environment
from ..reliability import note

OFF = "import torch\ntorch.use_deterministic_algorithms(False)\n"
OFF_RULE = "contract-deterministic-algorithms-off"


def check(path: Path, ruleset=None):
    return engine.check_file(path.name, str(path), ruleset or rules.build())[0]


def test_a_failing_rule_loses_its_finding_only_and_the_file_is_incomplete(tmp_path):
    ruleset = rules.build()

    def broken_rule(*_args):
        raise KeyError("planted")

    name = next(iter(ruleset.call_handlers))
    ruleset.call_handlers[name] = (broken_rule, *ruleset.call_handlers[name])
    path = tmp_path / "planted.py"
    path.write_text(OFF + f"{name}()\n")
    found = check(path, ruleset)
    assert OFF_RULE in [f.rule for f in found]
    partial = [f for f in found if engine.incomplete(f)]
    assert len(partial) == 1 and "broken_rule" in partial[0].message and "KeyError" in partial[0].message
    note("bad input", "a rule raising an internal error", "that rule's finding lost only; file reported incomplete")


@pytest.mark.parametrize("expression", ['-"str"', '~"s"', '-b"x"', 'not -"s"', '-(1,)', '(-"s")()', '-None'])
def test_odd_operands_keep_every_finding(tmp_path, expression):
    path = tmp_path / "odd.py"
    path.write_text(OFF + f"x = {expression}\n")
    found = check(path)
    assert [f.rule for f in found] == [OFF_RULE]
    note("bad input", "unary operator on a string or None (`-\"str\"`)", "findings kept", 1)


def test_a_coding_line_whose_codec_refuses_replace_keeps_every_finding(tmp_path):
    path = tmp_path / "idna.py"
    path.write_bytes(b"# coding: idna\n" + OFF.encode())
    found = check(path)
    assert [f.rule for f in found] == [OFF_RULE] and "use_deterministic_algorithms" in found[0].code
    note("bad input", "`# coding: idna` line", "findings kept")


def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.py"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to({"zero": "/dev/zero", "null": "/dev/null"}[kind])
    return path


@pytest.mark.parametrize("kind", ["fifo", "zero", "null"])
@pytest.mark.parametrize("how", ["named", "in a folder"])
def test_special_files_are_skipped_with_a_message(tmp_path, kind, how):
    path = _special(tmp_path, kind)
    (tmp_path / "real.py").write_text(OFF)
    target = [str(path)] if how == "named" else [str(tmp_path)]
    result = subprocess.run([*MLF, "lint", *target, str(tmp_path / "real.py")], env=clean_environment(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "not a regular file: skipped" in result.stdout and OFF_RULE in result.stdout
    note("bad input", f"a {kind} named *.py, {how}", "skipped with a message, no hang; other files checked")


# The case names say which bound: a line's (engine.MAX_LINE_BYTES, 64 KB), not the file's (MAX_BYTES, 16 MB).
@pytest.mark.parametrize("source, phrase, case", [
    (OFF + "x = " + "1+" * 40_000 + "1\n", "larger than 64 KB", "a file with a line over 64 KB"),
    (OFF + "x = " + "(" * 300 + ")" * 300 + "\n", "too deeply nested", "a file nested too deeply to parse"),
])
def test_bounds_report_the_file_incomplete_and_lint_exits_70(tmp_path, source, phrase, case):
    path = tmp_path / "bounded.py"
    path.write_text(source)
    result = subprocess.run([*MLF, "lint", str(path)], env=clean_environment(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 70 and phrase in result.stdout and "bounded.py" in result.stderr, result.stderr
    note("bad input", case, "not parsed; reported incomplete, `mlf lint` exits 70")


def test_memory_is_linear_in_the_line_length(tmp_path):
    """A line just under the bound is checked; peak memory stays within a small multiple of the file size."""
    path = tmp_path / "long.py"
    path.write_text(OFF + "x = [" + "1," * (engine.MAX_LINE_BYTES // 2 - 8) + "]\n")
    code = (f"import resource; from mlfcore.entrypoint.lint import engine, rules; "
            f"found = engine.check_file('long.py', {str(path)!r}, rules.build())[0]; "
            f"print([f.rule for f in found]); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    base = subprocess.run([MLF[0], "-c", code.replace(str(path), str(tmp_path / "none.py"))],
                          capture_output=True, text=True, timeout=120)
    result = subprocess.run([MLF[0], "-c", code], capture_output=True, text=True, timeout=120)
    rules_line, peak = result.stdout.splitlines()
    assert OFF_RULE in rules_line
    # ru_maxrss is in KiB; a 64 KiB line must not cost more than 64 MiB over the interpreter's own footprint.
    assert int(peak) - int(base.stdout.splitlines()[1]) < 64 * 1024


def test_jobs_are_capped_at_the_cpus(tmp_path, monkeypatch):
    from mlfcore.entrypoint.lint import forked

    started = []
    real = forked.check

    def recording(items, order, work, jobs):
        started.append(jobs)
        return real(items, order, work, jobs)

    monkeypatch.setattr(forked, "check", recording)
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)  # small files go through the parallel path too
    items = []
    for number in range(engine.PARALLEL_MIN_FILES):
        path = tmp_path / f"m{number}.py"
        path.write_text(OFF)
        items.append((path.name, str(path)))
    findings, _ = engine.check_files(items, rules.build(), jobs=100_000)
    assert started == [engine.cores()] and len(findings) == engine.PARALLEL_MIN_FILES
    note("bad input", "`mlf lint --jobs 100000`", "capped at the CPUs available")


def test_a_fifo_in_the_project_does_not_stall_the_pre_run_lint_of_mlf_run(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "train.py").write_text(OFF)
    result = subprocess.run([*MLF, "run", "--project", str(tmp_path), "--", "true"], env=clean_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and OFF_RULE in result.stderr + result.stdout, result.stderr[-2000:]
    note("bad input", "a FIFO named *.py in the project of `mlf run`", "the pre-run lint skips it, no hang")


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path):
    """The nesting bound is the parser's (more than 200 open brackets): brackets in a string or a comment do not
    count, so the file is checked; 201 real ones are reported as too deeply nested, not as a syntax error."""
    path = tmp_path / "brackets.py"
    path.write_text(OFF + "s = '" + "(" * 300 + "'  # " + "[" * 300 + "\n")
    assert OFF_RULE in [f.rule for f in check(path)]
    path.write_text(OFF + "x = " + "(" * 201 + "1" + ")" * 201 + "\n")
    [found] = check(path)
    assert found.rule == "file-skipped" and "too deeply nested" in found.message and engine.incomplete(found)
    path.write_text(OFF + "x = " + "(" * 200 + "1" + ")" * 200 + "\n")
    assert OFF_RULE in [f.rule for f in check(path)]
