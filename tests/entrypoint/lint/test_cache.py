"""lint/cache.py: the pre-run gate re-uses findings of unchanged files, and only of unchanged files."""

from __future__ import annotations

import json
import os
import time

import pytest

from mlfcore.entrypoint.lint import cache, engine, lint_paths

FLAGGED = "import torch\n\ntorch.use_deterministic_algorithms(False)\n"
_BODY = "import torch\n\nx = torch.ones(3)\n"
OTHER = _BODY + "#" * (len(FLAGGED) - len(_BODY) - 1) + "\n"  # as long as FLAGGED, without its finding


@pytest.fixture
def checked(monkeypatch, tmp_path):
    """The files the engine really read, call by call; the cache lives in a folder of this test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls: list[list[str]] = []
    real = engine.check_each

    def spy(items, ruleset, jobs=None):
        calls.append([display for display, _ in items])
        return real(items, ruleset, jobs)

    monkeypatch.setattr(engine, "check_each", spy)
    return calls


def settle(*_paths) -> None:
    """Wait out the racy window (files.RACY_NS) of files just written: their ctime, which no call can set back,
    must be older than that when they are stat'ed, as a file saved a while ago is."""
    time.sleep(1.1)


def lint(project, **options):
    return lint_paths([project], base=project, jobs=1, cache=True, **options)


def test_an_unchanged_file_is_not_read_again_and_gives_the_same_report(tmp_path, checked):
    project = tmp_path / "p"
    project.mkdir()
    (project / "train.py").write_text(FLAGGED)
    settle(project / "train.py")
    first, second = lint(project), lint(project)
    assert checked == [["train.py"], []]
    assert first.to_dict() == second.to_dict() and first.findings and first.lines == 3
    assert [f.code for f in first.findings] == [f.code for f in second.findings]  # the text report's source line


def test_a_rewrite_with_size_and_mtime_restored_is_read_again(tmp_path, checked):
    project = tmp_path / "p"
    project.mkdir()
    path = project / "train.py"
    path.write_text(FLAGGED)
    settle(path)
    before = lint(project)
    stamp = path.stat().st_mtime_ns
    path.write_text(OTHER)  # same size, other code: only the ctime tells
    os.utime(path, ns=(stamp, stamp))
    assert path.stat().st_size == len(FLAGGED)
    after = lint(project)
    assert checked == [["train.py"], ["train.py"]]
    assert before.findings and not [f for f in after.findings if f.rule == before.findings[0].rule]


def test_a_file_just_written_is_not_kept_and_other_rules_do_not_share_entries(tmp_path, checked):
    project = tmp_path / "p"
    project.mkdir()
    (project / "train.py").write_text(FLAGGED)
    lint(project)
    lint(project)  # racy: written under a second ago, so it was not kept
    settle(project / "train.py")
    lint(project)
    lint(project, ignore=["torch"])  # another rule set: its own identity
    assert checked == [["train.py"], ["train.py"], ["train.py"], ["train.py"]]


def test_entries_of_deleted_files_are_dropped(tmp_path, checked):
    project = tmp_path / "p"
    project.mkdir()
    for name in ("a.py", "b.py"):
        (project / name).write_text(FLAGGED)
    settle()
    lint(project)
    (project / "b.py").unlink()
    (project / "c.py").write_text(OTHER)
    settle(project / "c.py")
    lint(project)
    assert checked == [["a.py", "b.py"], ["c.py"]]
    stored = json.loads(next((tmp_path / "cache" / "mlfcore" / "lint").glob("*.json")).read_text())["files"]
    assert sorted(os.path.basename(p) for p in stored) == ["a.py", "c.py"]


def test_a_damaged_cache_file_is_ignored(tmp_path, checked):
    project = tmp_path / "p"
    project.mkdir()
    (project / "train.py").write_text(FLAGGED)
    settle(project / "train.py")
    expected = lint(project).to_dict()
    for stored in (tmp_path / "cache" / "mlfcore" / "lint").glob("*.json"):
        stored.write_text('{"identity": "x", "files": ')
    assert lint(project).to_dict() == expected
    assert checked == [["train.py"], ["train.py"]]


def test_the_identity_follows_the_linters_own_code(tmp_path, monkeypatch):
    """An edited or upgraded linter never reads an older linter's findings."""
    from mlfcore.entrypoint.lint import rules

    ruleset = rules.build()
    before = cache.ruleset_identity(ruleset)
    source = os.path.join(os.path.dirname(cache.__file__), "model.py")
    stamp = os.stat(source)
    try:
        os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1))
        assert cache.ruleset_identity(ruleset) != before
    finally:
        os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert cache.ruleset_identity(ruleset) == before
