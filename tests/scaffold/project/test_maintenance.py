"""`list`, `info`, `bump-version` and `upgrade` on real rendered projects."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

from mlfcore.scaffold.project import answers, bump, render, toolkit, upgrade

from .conftest import FRAMEWORKS, fixed_answers, scaffold


def test_list_names_every_framework_with_its_image():
    result = scaffold("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["framework"]: row for row in json.loads(result.stdout)}
    assert tuple(rows) == FRAMEWORKS
    spec = toolkit.image("xgboost")
    assert rows["xgboost"]["image"].endswith(f":{toolkit.version()}-xgboost{spec.framework_version}-cpu")


def test_info_shows_tags_pins_and_templates():
    result = scaffold("info", "pytorch", "--json")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    spec = toolkit.image("pytorch")
    assert facts["framework_version"] == f"torch {spec.framework_version}"
    assert set(facts["images"]) == set(spec.variants)
    assert f"torch=={spec.framework_version}" in facts["pins"]["cuda"]
    assert "+cpu" not in " ".join(facts["pins"]["cpu"])  # PyPI has no local versions
    assert "frameworks/pytorch/__package__/train.py.j2" in facts["templates"]
    assert not any(t.startswith("frameworks/xgboost/") for t in facts["templates"])
    text = scaffold("info", "pytorch")
    assert text.returncode == 0 and "pins:" in text.stdout


def test_info_of_an_unknown_framework_exits_2():
    result = scaffold("info", "mxnet")
    assert result.returncode == 2 and "choose one of" in result.stderr


@pytest.fixture
def project(tmp_path, rendered):
    copy = tmp_path / "project"
    shutil.copytree(rendered["xgboost"], copy)
    return copy


def test_bump_version_updates_every_file_and_opens_a_changelog_section(project):
    (project / "CHANGELOG.md").write_text((project / "CHANGELOG.md").read_text().replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n\n- a bug\n"))
    result = scaffold("bump-version", "0.2.0", str(project))
    assert result.returncode == 0, result.stderr
    assert 'version = "0.2.0"' in (project / "pyproject.toml").read_text()
    assert '__version__ = "0.2.0"' in (project / "golden_xgboost" / "__init__.py").read_text()
    changelog = (project / "CHANGELOG.md").read_text()
    today = datetime.date.today().isoformat()
    assert f"## [Unreleased]\n\n## [0.2.0] - {today}\n\n### Fixed\n\n- a bug\n" in changelog
    assert "## [0.1.0]" in changelog


@pytest.mark.parametrize("version,message", [("0.1.0", "not newer"), ("0.0.9", "not newer"),
                                             ("banana", "invalid version")])
def test_bump_version_refuses_and_writes_nothing(project, version, message):
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = scaffold("bump-version", version, str(project))
    assert result.returncode == 2 and message in result.stderr
    assert before == {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}


def test_bump_version_checks_every_file_before_writing(project):
    (project / "golden_xgboost" / "__init__.py").write_text('"""No version here."""\n')
    with pytest.raises(Exception, match="no version line"):
        bump.changes(project, "0.2.0", datetime.date(2026, 1, 1))
    assert 'version = "0.1.0"' in (project / "pyproject.toml").read_text()


def _age(project, old: str = "0.0.1"):
    """Make the project look rendered by an older toolkit: its tags, pins and recorded version."""
    current = toolkit.version()
    for relative in ("Dockerfile", ".github/workflows/lint.yml"):
        path = project / relative
        path.write_text(path.read_text().replace(current, old))
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace('    "numpy",\n', '    "numpy<2",\n')
    text = text.replace(f'toolkit = "{current}"', f'toolkit = "{old}"').replace(f"mlfcore=={current}", f"mlfcore=={old}")
    pyproject.write_text(text)


def test_upgrade_shows_the_diff_and_applies_only_with_yes(project):
    _age(project)
    (project / "golden_xgboost" / "model.py").write_text("# the user's own model\n")
    image = fixed_answers("xgboost").from_image
    shown = scaffold("upgrade", str(project), "--from-image", image)
    assert shown.returncode == 1, shown.stderr
    assert f"-FROM ghcr.io/mlfcore/xgboost:0.0.1-golden-cpu" in shown.stdout
    assert f'+toolkit = "{toolkit.version()}"' in shown.stdout and '-    "numpy<2",' in shown.stdout
    assert "--yes" in shown.stderr and "0.0.1" in (project / "Dockerfile").read_text()
    applied = scaffold("upgrade", str(project), "--from-image", image, "--yes")
    assert applied.returncode == 0, applied.stderr
    fresh = render.render(fixed_answers("xgboost"))
    for relative in ("Dockerfile", ".github/workflows/lint.yml", "pyproject.toml"):
        assert (project / relative).read_text() == fresh[relative], relative
    assert (project / "golden_xgboost" / "model.py").read_text() == "# the user's own model\n"  # code is the user's
    again = scaffold("upgrade", str(project), "--from-image", image)
    assert again.returncode == 0 and "already on mlfcore" in again.stderr


def test_upgrade_keeps_the_users_own_pyproject_lines(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.mlf]\n", "[tool.ruff]\nline-length = 100\n\n[tool.mlf]\n"))
    _age(project)
    chosen = upgrade.stored_answers(project, fixed_answers("xgboost").from_image)
    new_text = upgrade.planned(project, chosen)["pyproject.toml"][1]
    assert "[tool.ruff]\nline-length = 100\n" in new_text and f'toolkit = "{toolkit.version()}"' in new_text


def test_upgrade_refuses_a_directory_that_is_not_a_rendered_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "1.0"\n')
    result = scaffold("upgrade", str(tmp_path))
    assert result.returncode == 2 and "was not rendered by mlf-scaffold new" in result.stderr


def test_upgrade_keeps_the_digest_publish_pinned(project):
    from mlfcore.scaffold import deploy_refs

    chosen = upgrade.stored_answers(project, fixed_answers("xgboost").from_image)
    digest = "sha256:" + "5a" * 32
    assert deploy_refs.update(project, chosen.image, digest) == [Path("deploy/k8s/job.yaml")]
    _age(project)
    changes = upgrade.planned(project, chosen)
    assert "Dockerfile" in changes and "deploy/k8s/job.yaml" not in changes
    # A file that no longer names the image by digest is rendered as the template says.
    (project / "deploy/k8s/job.yaml").write_text("# edited\n")
    assert answers.UNPUBLISHED_DIGEST in upgrade.planned(project, chosen)["deploy/k8s/job.yaml"][1]
