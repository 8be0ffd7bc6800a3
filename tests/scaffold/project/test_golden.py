"""The rendered project, whole, against golden files: one tree per framework (as Cog tests its generated files).

After an intended template change: `UPDATE_GOLDEN=1 .venv/bin/pytest tests/scaffold/project/test_golden.py`, then
review the diff of tests/scaffold/project/golden/ like code.

LICENSE is the one rendered file kept out of the golden trees: it is the license's standard text (SPDX), which the
templates carry; a copy here would only be a second copy of that text. Its facts are checked instead: the license
named by its SPDX title, and the owner and year in its copyright line.
"""

from __future__ import annotations

import os
import shutil

import pytest

from mlfcore.scaffold.project import render

from .conftest import FRAMEWORKS, GOLDEN, fixed_answers


def _tree(folder):
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_rendered_project_matches_golden_files(framework):
    files = render.render(fixed_answers(framework))
    _check_license(framework, files.pop("LICENSE"))
    golden = GOLDEN / framework
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        render.write(files, golden)
    expected = _tree(golden)
    assert sorted(files) == sorted(expected), "files added or missing"
    for path, text in files.items():
        assert text == expected[path], f"{framework}: {path} differs from its golden file"


# The first line of each license's standard text (SPDX license list: MIT, Apache-2.0, BSD-3-Clause).
TITLES = {"MIT": "MIT License", "Apache-2.0": "Apache License", "BSD-3-Clause": "BSD 3-Clause License"}


def _check_license(framework: str, text: str) -> None:
    answers = fixed_answers(framework)
    assert text.strip().splitlines()[0].strip() == TITLES[answers.license], text[:200]
    if answers.license != "Apache-2.0":  # Apache's notice names the owner in the appendix's template only
        copyright_line = next(line for line in text.splitlines() if line.startswith("Copyright"))
        assert answers.owner in copyright_line and str(answers.year) in copyright_line, copyright_line


def test_frameworks_differ_where_they_should():
    torch, xgb = render.render(fixed_answers("pytorch")), render.render(fixed_answers("xgboost"))
    assert "deploy/k8s/pytorchjob.yaml" in torch and "deploy/k8s/pytorchjob.yaml" not in xgb
    assert "dataloader_kwargs" in torch["golden_pytorch/train.py"]
    assert "xgboost" in xgb["golden_xgboost/model.py"]


def test_the_project_commits_its_templates_golden_value_or_says_how_to_commit_one(monkeypatch):
    import tomllib

    from mlfcore.scaffold.golden import check
    from mlfcore.scaffold.project import answers

    rendered = tomllib.loads(render.render(fixed_answers("xgboost"))["pyproject.toml"])
    assert rendered["tool"]["mlf"]["expect"] == check.template_value("xgboost", "cpu", answers.IMAGE_ARCH)
    monkeypatch.setattr(answers, "IMAGE_ARCH", "riscv64")  # an architecture the golden table has no value for
    text = render.render(fixed_answers("xgboost"))["pyproject.toml"]
    assert "expect" not in tomllib.loads(text)["tool"]["mlf"]
    assert 'commit it here (`expect = "<that value>"`)' in text
