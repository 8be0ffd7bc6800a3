"""CLI conventions: `mlf --version`, typer's shell completion, `--format text|json` on every command with output
for programs, and (inside the images only) a first word that is not an mlf command runs as a program."""

from __future__ import annotations

import json
from importlib.metadata import version

import pytest
import typer

from mlfcore.entrypoint import variables
from mlfcore.entrypoint.cli import app as cli

from ..conftest import clean_environment, mlf

# Every command prints data for programs, except `run`, whose stdout is the command's own (--record writes a file),
# and the hidden `mlflow-entry`, which only our images' entrypoint calls under `mlflow run` (its terminal's output).
NO_DATA = {"run", "mlflow-entry"}


def test_version():
    result = mlf("--version")
    assert (result.returncode, result.stdout) == (0, f"mlf {version('mlfcore')}\n")


def test_mlf_scaffold_version_as_an_option_and_as_a_command():
    import subprocess
    import sys

    def scaffold(*args):
        return subprocess.run([sys.executable, "-c", "from mlfcore.scaffold.cli import main; main()", *args],
                              capture_output=True, text=True, timeout=60)

    assert (scaffold("--version").returncode, scaffold("--version").stdout) == (
        0, f"mlf-scaffold {version('mlfcore')}\n")
    assert scaffold("version").stdout == f"{version('mlfcore')}\n"


def test_shell_completion_completes_commands_and_format_values():
    environment = {**clean_environment(), "_MLF_COMPLETE": "complete_bash", "COMP_WORDS": "mlf sysinfo --format ",
                   "COMP_CWORD": "3"}
    result = mlf(env=environment)
    assert result.returncode == 0 and result.stdout.split() == ["table", "text", "json", "yaml"]
    result = mlf("--show-completion", "bash")
    assert result.returncode == 0 and "_MLF_COMPLETE=complete_bash" in result.stdout


@pytest.mark.parametrize("name", sorted(cli._COMMANDS - NO_DATA))
def test_every_command_with_data_takes_text_and_json(name):
    command = typer.main.get_command(cli.app).commands[name]
    formats = next(p for p in command.params if "--format" in p.opts)
    assert {"text", "json"} <= set(formats.type.choices)


def test_text_is_the_table_and_json_is_data():
    text, table = mlf("env", "--format", "text"), mlf("env", "--format", "table")
    assert text.returncode == 0 and text.stdout == table.stdout
    key = mlf("sysinfo", "--key", "--format", "text")
    assert key.returncode == 0 and len(key.stdout.strip()) == 64
    assert json.loads(mlf("env", "--format", "json").stdout)["settings"]["seed"] == 0


def test_a_program_runs_only_where_the_image_asks_for_it(tmp_path):
    assert mlf("echo", "hi").returncode == 2  # on a host: "No such command"
    inside = {**clean_environment(), variables.MLF_DISPATCH: "1"}
    assert mlf("echo", "hi", env=inside).stdout == "hi\n"
    under_contract = mlf("python", "-c", "import os; print(os.environ['MLF_ACTIVE'])", env=inside, cwd=tmp_path)
    assert (under_contract.returncode, under_contract.stdout) == (0, "1\n"), under_contract.stderr


def test_docs_name_every_field_of_train_json():
    from pathlib import Path
    from types import SimpleNamespace

    from mlfcore.entrypoint.train import pipeline, tracking

    docs = (Path(__file__).resolve().parents[3] / "docs" / "cli.md").read_text(encoding="utf-8")
    store = tracking.Store("sqlite:///x", None, None, False)
    result = pipeline.Result("r", 0, store, SimpleNamespace(experiment="e", root=Path(".")), "k", {}, Path("."))
    missing = [name for name in result.summary() if f"| `{name}` |" not in docs]
    assert missing == [], f"docs/cli.md does not document {missing}"


def _commands(command, path=()):
    """Every command of a click tree with the words that call it: (("train",), command), ..."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        if not sub.hidden:
            yield from _commands(sub, (*path, name))


def _help_cases():
    from mlfcore.scaffold import cli as scaffold_cli

    for program, app in (("mlf", cli.app), ("mlf-scaffold", scaffold_cli.app)):
        for path, command in _commands(typer.main.get_command(app)):
            yield pytest.param(app, path, command, id=" ".join((program, *path)))


@pytest.mark.parametrize(("app", "path", "command"), list(_help_cases()))
def test_help_keeps_every_bracketed_word(app, path, command, monkeypatch):
    # Typer renders help with Rich markup, which takes `[tool.mlf]` or `[default: cpu]` for a style tag and drops
    # it: a help text must write `\[` for a bracket that is text. Wide, so no bracketed phrase wraps.
    import re

    from typer import rich_utils
    from typer.testing import CliRunner

    monkeypatch.setattr(rich_utils, "MAX_WIDTH", 400)
    monkeypatch.setenv("TERMINAL_WIDTH", "400")
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="mlf")
    assert result.exit_code == 0, result.output
    rendered = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    texts = [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
    shown = [" ".join(text.replace("\\[", "[").split()) for text in texts]
    # The whole text, so a bracketed word shown elsewhere on the page (`[tool.mlf]`) cannot hide its loss here.
    lost = [text for text in shown if re.search(r"\[[^\[\]]+\]", text) and text not in rendered]
    assert not lost, f"{' '.join(path)} --help drops words of {lost}: write a bracket that is text as \\["
    # A help text that says its own default must not get typer's too ("[default: the current directory]. [default: .]").
    twice = [param.name for param in command.params if "[default:" in (getattr(param, "help", None) or "")
             and param.default is not None and getattr(param, "show_default", None) is not False]
    assert not twice, f"{' '.join(path)} --help shows two defaults for {twice}: give them show_default=False"
