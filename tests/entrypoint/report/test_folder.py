"""The report's folder is written whole or not at all, and --force replaces only a report (report/folder.py)."""

from __future__ import annotations

import os
import stat

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.report import folder

from ..reliability import note


def _report(path):
    path.mkdir()
    for name in folder.SIGNATURE:
        (path / name).write_text("old")


def test_a_failure_while_writing_leaves_nothing(tmp_path):
    target = tmp_path / "report"
    with pytest.raises(RuntimeError), folder.staged(target, force=False) as staging:
        (staging / "half.json").write_text("{")
        raise RuntimeError("the store went away")
    assert list(tmp_path.iterdir()) == []
    note("fault", "`report` fails while writing its folder", "nothing left: no folder, no staging folder beside it")


def test_a_failure_while_replacing_keeps_the_old_report(tmp_path):
    target = tmp_path / "report"
    _report(target)
    with pytest.raises(RuntimeError), folder.staged(target, force=True):
        raise RuntimeError("the store went away")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert (target / "report.json").read_text() == "old"
    note("fault", "`report --force` fails while writing the new report", "the old report kept whole")


def test_force_replaces_a_report_and_the_folder_gets_the_umask_mode(tmp_path):
    target = tmp_path / "report"
    _report(target)
    with folder.staged(target, force=True) as staging:
        (staging / "report.json").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert [p.name for p in target.iterdir()] == ["report.json"] and (target / "report.json").read_text() == "new"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~mask


def test_force_replaces_an_empty_folder_but_never_a_file_or_other_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    folder.check(tmp_path / "empty", force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is not a folder"):
        folder.check(tmp_path / "file", force=True)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".bashrc").write_text("x")
    with pytest.raises(UsageError, match="not a report that mlf wrote"):
        folder.check(tmp_path / "home", force=True)
    with pytest.raises(UsageError, match="does not exist"):
        folder.check(tmp_path / "missing" / "report", force=False)
