"""The project section: git commit and dirty flag through the git CLI, and a reason when there is none."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from mlfcore.entrypoint.sysinfo import project

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(folder), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def repository(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    _git(folder, "init", "-q")
    (folder / "train.py").write_text("print(1)\n")
    _git(folder, "add", "train.py")
    _git(folder, "commit", "-q", "-m", "first")
    return folder


@needs_git
def test_a_clean_repository(repository):
    section = project.collect(repository)
    head = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    source = section.pop("source")
    assert section == {"directory": str(repository.resolve()), "commit": head, "dirty": False, "changed_files": 0,
                       "untracked_files": 0}
    assert source["count"] == 1 and list(source["files"]) == ["train.py"]


@needs_git
def test_a_changed_file_makes_it_dirty_an_untracked_one_does_not(repository):
    (repository / "notes.txt").write_text("data\n")
    section = project.collect(repository)
    assert section["dirty"] is False and section["untracked_files"] == 1
    (repository / "train.py").write_text("print(2)\n")
    section = project.collect(repository)
    assert section["dirty"] is True and section["changed_files"] == 1


@needs_git
def test_not_a_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    section = project.collect(tmp_path)
    assert section["commit"] is None and section["dirty"] is None and "not a git repository" in section["reason"]


def test_without_git(tmp_path, monkeypatch):
    monkeypatch.setattr(project.shutil, "which", lambda name: None)
    section = project.collect(tmp_path)
    assert section["commit"] is None and section["reason"] == "git is not installed: the commit cannot be recorded"


@needs_git
def test_without_git_the_commit_is_read_from_the_repository_files(repository, monkeypatch):
    head = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    monkeypatch.setattr(project.shutil, "which", lambda name: None)
    (repository / "sub").mkdir()
    loose = project.collect(repository / "sub")  # found from a sub-directory, as git finds it
    assert loose["commit"] == head and loose["dirty"] is None and "dirty state is unknown" in loose["reason"]
    _git(repository, "pack-refs", "--all")  # the branch now lives in packed-refs only
    assert project.collect(repository)["commit"] == head
    _git(repository, "checkout", "-q", "--detach")
    assert project.collect(repository)["commit"] == head


def _tree(root, files: dict[str, str]):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_source_hash_covers_code_and_configuration_only(tmp_path):
    _tree(tmp_path, {"train.py": "print(1)\n", "MLproject": "name: x\n", "conf/params.yaml": "lr: 1\n",
                     "requirements-dev.txt": "pytest\n", "data/train.csv": "1,2\n", "outputs/run/model.py": "",
                     ".venv/lib/site.py": "", "mlruns/0/meta.yaml": "", "pkg.egg-info/setup.cfg": "",
                     "notes.md": "hi\n", "mlflow.db": ""})
    found = project.source(tmp_path)
    assert list(found["files"]) == ["MLproject", "conf/params.yaml", "requirements-dev.txt", "train.py"]
    assert found["count"] == 4 and len(found["sha256"]) == 64


def test_editing_or_renaming_a_source_file_changes_the_hash_and_names_it(tmp_path):
    _tree(tmp_path, {"train.py": "print(1)\n", "model.py": "W = 1\n"})
    before = project.source(tmp_path)
    (tmp_path / "data.csv").write_text("1\n")  # not source: the hash stays
    assert project.source(tmp_path)["sha256"] == before["sha256"]
    (tmp_path / "model.py").write_text("W = 2\n")
    edited = project.source(tmp_path)
    assert edited["sha256"] != before["sha256"] and project.changed_files(before, edited) == ["model.py"]
    (tmp_path / "model.py").rename(tmp_path / "net.py")
    renamed = project.source(tmp_path)
    assert project.changed_files(edited, renamed) == ["model.py", "net.py"]
