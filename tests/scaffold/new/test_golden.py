"""The rendered project, whole, against golden files: one tree per framework (as Cog tests its generated files).

After an intended template change: `UPDATE_GOLDEN=1 .venv/bin/pytest tests/scaffold/new/test_golden.py`, then
review the diff of tests/scaffold/new/golden/ like code.
"""

from __future__ import annotations

import os
import shutil

import pytest

from mlfcore.scaffold.new import render

from .conftest import FRAMEWORKS, GOLDEN, fixed_answers


def _tree(folder):
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_rendered_project_matches_golden_files(framework):
    files = render.render(fixed_answers(framework))
    golden = GOLDEN / framework
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        render.write(files, golden)
    expected = _tree(golden)
    assert sorted(files) == sorted(expected), "files added or missing"
    for path, text in files.items():
        assert text == expected[path], f"{framework}: {path} differs from its golden file"


def test_frameworks_differ_where_they_should():
    torch, xgb = render.render(fixed_answers("pytorch")), render.render(fixed_answers("xgboost"))
    assert "deploy/k8s/pytorchjob.yaml" in torch and "deploy/k8s/pytorchjob.yaml" not in xgb
    assert "dataloader_kwargs" in torch["golden_pytorch/train.py"]
    assert "xgboost" in xgb["golden_xgboost/model.py"]
