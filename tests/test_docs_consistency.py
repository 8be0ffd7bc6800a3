"""The documentation names only what the programs have: every `--option` written right after an `mlf` or
`mlf-scaffold` command in README.md and docs/*.md (in backticks or a code block) is an option of that command, and
every `[tool.mlf]` key the docs show is one the configuration readers accept. Docs that drift from the CLI send a
new user to an error; this reads the click trees and the readers' key tables, so it runs in about a second."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from mlfcore.entrypoint import config
from mlfcore.entrypoint.cli import app as mlf_cli
from mlfcore.entrypoint.lint import config as lint_config
from mlfcore.entrypoint.train import project
from mlfcore.scaffold import cli as scaffold_cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROGRAMS = {"mlf": mlf_cli.app, "mlf-scaffold": scaffold_cli.app}
# A command line in prose or code: the program, then what follows on the line (a span or a code block's line).
COMMAND = re.compile(r"(?<![\w./-])(mlf-scaffold|mlf)(?![\w-])\s+(.*)")
# Where a shell command line ends: the options after these belong to something else.
ENDS = {"|", "||", "&&", ";", ">", ">>", "<", "#", "2>", "2>&1", "\\"}
# The publish table is mlf-scaffold's (scaffold/publish.py reads `registry`); data roots are named by the user.
SUBTABLE_KEYS = {
    "lint": set(lint_config.KEYS) | set(lint_config.version_keys()),
    "train": set(project.TRAIN_KEYS),
    "publish": {"registry"},
}


def _snippets(text: str):
    """(line number, text) of every code span and every line of every fenced code block, a continued shell line
    (ending in a backslash) joined with the next."""
    fenced = False
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            if not pending:
                start = number
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            yield start, pending + line
            pending = ""
        else:
            for span in re.findall(r"`([^`\n]+)`", line):
                yield number, span


def _tree(program: str):
    return typer.main.get_command(PROGRAMS[program])


def _long_options(command) -> dict[str, bool]:
    """--name → whether it takes a value, for a click command (both spellings of a --x/--no-x flag)."""
    found = {"--help": False}
    for param in command.params:
        for name in [*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())]:
            if name.startswith("--"):
                found[name] = not getattr(param, "is_flag", False) and not getattr(param, "count", False)
    return found


def _tokens(rest: str) -> list[str]:
    try:
        words = shlex.split(rest, comments=False)
    except ValueError:  # an unbalanced quote in prose: split on blanks
        words = rest.split()
    # Placeholders and optional parts as docs write them: [--seed N], (--a|--b), FILE...
    return [word.strip("[](){}.,:'\"") for word in words]


def _unknown_options(program: str, rest: str) -> list[str]:
    """The --options of one documented command line that its command lacks, as 'mlf train --epochs'."""
    command, words, path = _tree(program), _tokens(rest), [program]
    while words and hasattr(command, "commands") and words[0] in command.commands:
        command = command.commands[words[0]]
        path.append(words.pop(0))
    if hasattr(command, "commands") and words and not words[0].startswith("-"):
        return []  # not a command of this program: prose ("mlf itself"), a placeholder (mlf COMMAND)
    options, bad, skip = _long_options(command), [], False
    for word in words:
        if skip:
            skip = False
            continue
        if word in ENDS or word == "--" or word.startswith(("#", ">", "|")):
            break  # after `--` or a shell operator, the options are another program's
        if word.startswith("--") and len(word) > 2:
            for name in word.split("|"):  # --format text|json stays one word; --a|--b names two options
                name = name.partition("=")[0]
                if not name.startswith("--"):
                    continue
                if name not in options:
                    bad.append(f"{' '.join(path)} {name}")
                elif options[name] and "=" not in word:
                    skip = True  # its value
        elif not word.startswith("-") and path[-1] == "run" and program == "mlf":
            break  # `mlf run python train.py --lr 0.1`: the rest is the training command's
    return bad


def test_the_parser_of_this_test_finds_a_wrong_option():
    assert _unknown_options("mlf", "train --epochs 3") == ["mlf train --epochs"]
    assert _unknown_options("mlf", "train [--seed N] --format text|json -P epochs=3") == []
    assert _unknown_options("mlf", "run --seed 1 -- python train.py --epochs 3") == []
    assert _unknown_options("mlf", "run python train.py --epochs 3") == []
    assert _unknown_options("mlf-scaffold", "new demo --framwork pytorch") == ["mlf-scaffold new --framwork"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_documented_option_exists(doc):
    text = doc.read_text(encoding="utf-8")
    wrong = [f"{doc.name}:{number}: {bad}" for number, snippet in _snippets(text)
             for match in COMMAND.finditer(snippet) for bad in _unknown_options(match[1], match[2])]
    assert not wrong, "options the CLI does not have:\n" + "\n".join(wrong)


def _documented_keys(text: str):
    """(line, table, key) for each key the docs give under [tool.mlf] or [tool.mlf.NAME]: in TOML code blocks, and
    in spans that write `[tool.mlf] key` or `[tool.mlf.NAME] key`."""
    table, fenced = None, False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced, table = not fenced, None
            continue
        if fenced:
            header = re.match(r"\s*\[([^\]]+)\]\s*(#.*)?$", line)
            if header:
                table = header[1].strip()
                continue
            key = re.match(r"\s*([A-Za-z_][\w-]*)\s*=", line)
            if key and table is not None and (table == "tool.mlf" or table.startswith("tool.mlf.")):
                yield number, table, key[1]
            continue
        for span in re.findall(r"`([^`\n]+)`", line):
            for found in re.finditer(r"\[(tool\.mlf(?:\.[\w-]+)?)\]\s+([a-z_][\w-]*)\b(?!\s*\()", span):
                yield number, found[1], found[2]


def _accepted(table: str, key: str) -> bool:
    if table == "tool.mlf":
        return key in config.TOP_LEVEL_KEYS
    name = table.removeprefix("tool.mlf.")
    if name == "data_roots":
        return True  # the user's names
    if name not in config.TOP_LEVEL_KEYS or config.TOP_LEVEL_KEYS[name] is not dict:
        return False
    return key in SUBTABLE_KEYS.get(name, {key})


def test_the_parser_of_this_test_finds_a_wrong_key():
    found = list(_documented_keys("```toml\n[tool.mlf]\nsede = 1\n[tool.mlf.lint]\nselect = []\n```\n"
                                  "`[tool.mlf] expect` and `[tool.mlf.train] comand`\n"))
    assert [(table, key) for _, table, key in found if not _accepted(table, key)] == [
        ("tool.mlf", "sede"), ("tool.mlf.train", "comand")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_documented_configuration_key_is_accepted(doc):
    wrong = [f"{doc.name}:{number}: [{table}] {key}"
             for number, table, key in _documented_keys(doc.read_text(encoding="utf-8")) if not _accepted(table, key)]
    assert not wrong, "keys the configuration readers refuse:\n" + "\n".join(wrong)
