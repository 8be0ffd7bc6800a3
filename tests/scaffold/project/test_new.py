"""`mlf-scaffold new`: names, bad input (exit 2, nothing on disk), --force, prompts only in a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.scaffold.project import names

from .conftest import scaffold

BAD_NAMES = {
    "a/b": "not a path", "..": "not a path", "my project": "whitespace", "": "empty", "x" * 65: "more than 64",
    "class": "keyword", "9lives": "starts with a digit", "MyProject": "uppercase", "a--b": "separators",
    "trailing-": "separators", "dotted.name": "separators",
}


@pytest.mark.parametrize("name", ["a", "digits", "my-project", "my_project", "x" * 64, "v2-model"])
def test_valid_names(name):
    assert names.validated(name) == name
    assert names.package_name(name).isidentifier()


@pytest.mark.parametrize("name,reason", BAD_NAMES.items())
def test_invalid_names_say_why_and_what_is_allowed(name, reason):
    with pytest.raises(UsageError) as raised:
        names.validated(name)
    assert reason in raised.value.message and "lowercase letters" in raised.value.hint


@pytest.mark.parametrize("name", sorted(BAD_NAMES))
def test_cli_refuses_a_bad_name_and_writes_nothing(tmp_path, name):
    result = scaffold("new", name, "--no-input", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "invalid project name" in result.stderr and "allowed:" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unknown_framework_exits_2_and_names_the_choices(tmp_path):
    result = scaffold("new", "demo", "--framework", "mxnet", "--no-input", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown framework 'mxnet'" in result.stderr and "pytorch, tensorflow, xgboost, jax" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option,value,message", [("--license", "GPL-3.0", "unknown license"),
                                                  ("--variant", "rocm", "unknown variant"),
                                                  ("--deploy", "nomad", "unknown deploy target"),
                                                  ("--owner", "Has Space", "invalid owner"),
                                                  ("--registry", "https://x", "invalid registry")])
def test_other_bad_options_exit_2_and_write_nothing(tmp_path, option, value, message):
    result = scaffold("new", "demo", option, value, "--no-input", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_the_scaffold_extra_it_names_it_and_writes_nothing(tmp_path):
    code = ("import sys; sys.modules['jinja2'] = None; sys.argv[0] = 'mlf-scaffold'\n"
            "from mlfcore.scaffold.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", code, "new", "demo", "--framework", "base"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2 and "internal error" not in done.stderr, done.stderr
    assert "jinja2" in done.stderr and "pip install 'mlfcore[scaffold]'" in done.stderr
    assert not list(tmp_path.iterdir())


def test_base_has_only_the_cpu_variant(tmp_path):
    result = scaffold("new", "demo", "--framework", "base", "--variant", "cuda", "--no-input", cwd=tmp_path)
    assert result.returncode == 2 and "choose one of cpu" in result.stderr


def test_renders_with_defaults_without_a_terminal(tmp_path):
    result = scaffold("new", "demo", "--owner", "acme", cwd=tmp_path)  # stdin is not a terminal: no prompt
    assert result.returncode == 0, result.stderr
    project = tmp_path / "demo"
    assert result.stdout.strip() == str(project)
    assert (project / "demo" / "train.py").is_file() and (project / ".github" / "workflows" / "build.yml").is_file()
    pyproject = (project / "pyproject.toml").read_text()
    assert 'framework = "pytorch"' in pyproject and 'license = "MIT"' in pyproject
    assert "FROM ghcr.io/mlfcore/pytorch:" in (project / "Dockerfile").read_text()
    assert not list(tmp_path.glob(".demo-*")), "the staging directory was left behind"


def test_existing_non_empty_directory_needs_force(tmp_path):
    target = tmp_path / "demo"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    refused = scaffold("new", "demo", "--no-input", cwd=tmp_path)
    assert refused.returncode == 2 and "not empty" in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    forced = scaffold("new", "demo", "--no-input", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (target / "notes.txt").read_text() == "mine\n" and (target / "MLproject").is_file()


def test_dir_option_and_an_empty_existing_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    result = scaffold("new", "demo", "--dir", "empty", "--no-input", "--framework", "xgboost", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "empty" / "demo" / "model.py").is_file()


def test_missing_name_without_a_terminal_exits_2(tmp_path):
    result = scaffold("new", cwd=tmp_path)
    assert result.returncode == 2 and "missing project name" in result.stderr


def _converse(args, replies, cwd, timeout=60) -> tuple[int, str]:
    """Run mlf-scaffold on a pseudo-terminal, answering each prompt with the next reply."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", "from mlfcore.scaffold.cli import main; main()", *args],
                               stdin=follower, stdout=follower, stderr=follower, cwd=cwd, close_fds=True,
                               env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"})
    os.close(follower)
    transcript, pending, deadline = b"", list(replies), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            transcript += chunk
            if pending and transcript.rstrip().endswith(b":"):
                os.write(leader, pending.pop(0).encode() + b"\n")
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=10), transcript.decode(errors="replace")


def test_prompts_in_a_terminal_for_what_is_missing(tmp_path):
    code, transcript = _converse(["new", "demo"], ["xgboost", "", "someone", "BSD-3-Clause", "My model."], tmp_path)
    assert code == 0, transcript
    for prompt in ("framework", "variant", "owner", "license", "description"):
        assert prompt in transcript
    pyproject = (tmp_path / "demo" / "pyproject.toml").read_text()
    assert 'framework = "xgboost"' in pyproject and 'owner = "someone"' in pyproject
    assert 'license = "BSD-3-Clause"' in pyproject and 'description = "My model."' in pyproject


def test_no_input_never_prompts_even_in_a_terminal(tmp_path):
    code, transcript = _converse(["new", "demo", "--no-input", "--owner", "acme"], [], tmp_path)
    assert code == 0, transcript
    assert "framework [" not in transcript and (tmp_path / "demo" / "MLproject").is_file()
