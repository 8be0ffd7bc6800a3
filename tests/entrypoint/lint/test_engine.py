"""Never crash: broken, undecodable, empty, huge files and symlink loops become findings or notes, and every
other file is still checked. Parallel and serial runs agree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.lint import engine, lint_paths

BAD_CALL = b"import torch\ntorch.bincount(x, w)\n"


def lint_folder(folder: Path, **options):
    return lint_paths([folder], base=folder, jobs=options.pop("jobs", 1), **options)


def by_path(report):
    return {f.path: f for f in report.findings}


def test_a_syntax_error_is_a_finding_and_the_other_files_are_still_checked(tmp_path):
    (tmp_path / "broken.py").write_bytes(b"def f(:\n    pass\n")
    (tmp_path / "good.py").write_bytes(BAD_CALL)
    report = lint_folder(tmp_path)
    found = by_path(report)
    assert found["broken.py"].rule == "file-syntax" and found["broken.py"].severity == "warning"
    assert found["broken.py"].line == 1
    assert found["good.py"].rule == "torch-bincount"
    assert report.files == 2


def test_pep263_coding_line_is_honoured(tmp_path):
    source = "# -*- coding: latin-1 -*-\nimport torch\nname = 'caf\u00e9'\ntorch.bincount(x, w)  # \u00e9\n"
    (tmp_path / "latin.py").write_bytes(source.encode("latin-1"))
    [finding] = lint_folder(tmp_path).findings
    assert finding.rule == "torch-bincount" and finding.line == 4
    assert "\u00e9" in finding.code  # the line is shown decoded, not as mojibake


@pytest.mark.parametrize("content, rule", [
    (b"x = '\xff\xfe'\n", "file-encoding"),
    (b"# -*- coding: no-such-codec -*-\nx = 1\n", "file-encoding"),
    (b"x = 1\x00\n", "file-syntax"),
])
def test_undecodable_files_are_findings(tmp_path, content, rule):
    (tmp_path / "odd.py").write_bytes(content)
    (tmp_path / "good.py").write_bytes(BAD_CALL)
    found = by_path(lint_folder(tmp_path))
    assert found["odd.py"].rule == rule
    assert found["good.py"].rule == "torch-bincount"


def test_empty_and_blank_files(tmp_path):
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "blank.py").write_bytes(b"\n\n   \n")
    report = lint_folder(tmp_path)
    assert report.findings == [] and report.files == 2 and report.lines == 3


def test_a_huge_file_is_skipped_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "MAX_BYTES", 100)
    (tmp_path / "huge.py").write_bytes(b"x = 1\n" * 100)
    [finding] = lint_folder(tmp_path).findings
    assert finding.rule == "file-skipped" and "larger than" in finding.message


def test_a_deeply_nested_expression_is_a_note(tmp_path):
    (tmp_path / "deep.py").write_bytes(b"x = " + b"-" * 200_000 + b"1\n")
    [finding] = lint_folder(tmp_path).findings
    assert finding.rule in ("file-skipped", "file-syntax")


def test_symlink_loops_end(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_bytes(BAD_CALL)
    os.symlink("..", tmp_path / "pkg" / "up")  # a folder loop
    os.symlink("self.py", tmp_path / "self.py")  # a file that points at itself
    report = lint_folder(tmp_path)
    rules = sorted((f.path, f.rule) for f in report.findings)
    assert ("pkg/mod.py", "torch-bincount") in rules
    assert ("self.py", "file-unreadable") in rules
    assert any(path.startswith("pkg/up") and rule == "file-skipped" for path, rule in rules)
    assert [r for r in rules if r[1] == "torch-bincount"] == [("pkg/mod.py", "torch-bincount")]


def test_default_and_configured_excludes(tmp_path):
    for folder in (".venv/lib", "build", "src", "src/generated"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.py").write_bytes(BAD_CALL)
    from mlfcore.entrypoint.lint import LintConfig

    report = lint_folder(tmp_path, config=LintConfig(exclude=("src/generated",)))
    assert [f.path for f in report.findings] == ["src/m.py"]


def test_a_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        lint_paths([tmp_path / "nope.py"], base=tmp_path)


@pytest.mark.stress
def test_parallel_and_serial_agree(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)  # these files are tiny: the pool must run anyway
    for n in range(engine.PARALLEL_MIN_FILES + 8):
        body = BAD_CALL if n % 3 else b"import torch\nx.median(0)\nbroken(\n" if n % 5 == 0 else b"x = 1\n"
        (tmp_path / f"m{n:03}.py").write_bytes(body)
    serial = lint_folder(tmp_path, jobs=1)
    parallel = lint_folder(tmp_path, jobs=2)
    assert serial.to_dict() == parallel.to_dict()
    assert serial.files == engine.PARALLEL_MIN_FILES + 8


def test_unchecked_files_are_reported_whatever_is_selected(tmp_path):
    (tmp_path / "broken.py").write_bytes(b"def f(:\n")
    assert [f.rule for f in lint_folder(tmp_path, select=["contract"]).findings] == ["file-syntax"]
    assert lint_folder(tmp_path, ignore=["file-syntax"]).findings == []


def test_a_bug_in_a_rule_costs_one_file_not_the_run(tmp_path, monkeypatch):
    from mlfcore.entrypoint.lint import checker

    real = checker.check_tree

    def broken(tree, path, ruleset, **options):
        if path == "a.py":
            raise KeyError("boom")
        return real(tree, path, ruleset, **options)

    monkeypatch.setattr(checker, "check_tree", broken)
    (tmp_path / "a.py").write_bytes(BAD_CALL)
    (tmp_path / "b.py").write_bytes(BAD_CALL)
    found = by_path(lint_folder(tmp_path))
    assert found["a.py"].rule == "file-incomplete" and "internal error" in found["a.py"].message
    assert found["b.py"].rule == "torch-bincount"


def test_a_small_project_is_checked_without_a_pool(tmp_path, monkeypatch):
    for n in range(engine.PARALLEL_MIN_FILES + 8):
        (tmp_path / f"m{n:03}.py").write_bytes(BAD_CALL)

    def no_pool(*args, **kwargs):
        raise AssertionError("a process was started for a few kB of code")

    import concurrent.futures

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(os, "fork", no_pool)
    assert lint_folder(tmp_path, jobs=2).files == engine.PARALLEL_MIN_FILES + 8
