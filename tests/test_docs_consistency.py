"""The documentation names only what the programs have: every `--option` written right after an `mlf` or
`mlf-scaffold` command in README.md and docs/*.md (in backticks or a code block) is an option of that command, and
every `[tool.mlf]` key the docs show is one the configuration readers accept; every sysinfo schema version, fingerprint
algorithm version and exit code they name is one the program has; every fingerprint they quote (`v2:10a9…`, or a
digest on a line about a fingerprint) is a value of the golden table (scaffold/golden/fingerprints.toml), unless its
paragraph or table row says it is "not in the golden table" (an illustration, a value an earlier example gave). Docs
that drift from the CLI send a new user to an error; this reads the click trees, the readers' key tables, the code's
constants and the golden table, so it runs in about a second.

Every figure (a number with a unit: ms, s, min, MB, GB, %, x ...) outside the generated pages carries, in its paragraph,
list item, table or section, the command that produced it and the date; a bound the code sets is written as one
("within 30 s", "over 16 MB", "30 s by default") and is no measurement."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import typer

from mlfcore.entrypoint import config, errors
from mlfcore.entrypoint.cli import app as mlf_cli
from mlfcore.entrypoint.lint import config as lint_config
from mlfcore.entrypoint.sysinfo import schema as sysinfo_schema
from mlfcore.entrypoint.train import fingerprint
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


# What a doc writes to say that a fingerprint it quotes is deliberately not a golden value: an illustration, or what
# an earlier version of an example gave. Visible to the reader, so the exception is never silent.
NOT_GOLDEN = "not in the golden table"
GOLDEN = ROOT / "scaffold" / "golden" / "fingerprints.toml"
# `v2:<hex>`, `v2:10a9b8eb…`, `v2:…`, `v2:HEX`: the algorithm version is what the program must have; the hex, when
# there is any, a golden value (the whole digest, or the first digits of one before an ellipsis).
VERSIONED = re.compile(r"(?<![\w.])v(\d+):([0-9a-f]*)(…|\.\.\.)?")
# A bare digest: 64 hex digits, or at least 8 before an ellipsis. Not after `sha256:`, `sha-` or `v2:` (image ids,
# tags, handled above); a fingerprint only where its row or paragraph talks of one (commits and run ids do not).
BARE = re.compile(r"(?<![\w:-])(?:([0-9a-f]{64})(?![\w])|([0-9a-f]{8,63})(?:…|\.\.\.))")
# "exit 2", "exits 75", "exit code 3", "exits with 143", "Exit 0".
EXIT = re.compile(r"\b[Ee]xit(?:s|ed)?(?: with)?(?: code| status)? `?(\d+)`?")
SCHEMA = re.compile(r"schema version (\d+)|\"schema_version\":\s*(\d+)")


def _units(text: str):
    """(line number, text) of each unit a value belongs to: a table row alone, the lines of a prose paragraph or list
    item together, and a fenced code block together with the paragraph right before it (which says what the block
    shows: output can only be annotated there)."""
    lines = [*text.splitlines(), ""]
    para: list[str] = []  # the paragraph being read, or the last one while only blank lines follow it
    start, number, closed = 0, 0, False
    while number < len(lines):
        line = lines[number]
        stripped = line.strip()
        number += 1
        if stripped.startswith("```"):
            fence = stripped[:len(stripped) - len(stripped.lstrip("`"))]
            block = []
            while number < len(lines) and not lines[number].strip().startswith(fence):
                block.append(lines[number])
                number += 1
            number += 1  # the closing fence
            yield (start if para else number - len(block) - 1), " ".join([*para, *block])
            para, closed = [], False
            continue
        if not stripped:
            closed = bool(para)
            continue
        if para and (closed or stripped.startswith(("- ", "* ", "#", "|"))):
            yield start, " ".join(para)
            para, closed = [], False
        if stripped.startswith("|"):
            yield number, line
        else:
            if not para:
                start = number
            para.append(stripped)
    if para:
        yield start, " ".join(para)


def _golden() -> set[tuple[int, str]]:
    entries = tomllib.loads(GOLDEN.read_text(encoding="utf-8"))["entries"]
    found = set()
    for entry in entries:
        version, _, digest = entry["fingerprint"].partition(":")
        found.add((int(version.removeprefix("v")), digest))
    return found


def _fingerprint_problems(unit: str, golden: set[tuple[int, str]]) -> list[str]:
    """What is wrong with the fingerprints and algorithm versions one unit of a doc quotes."""
    problems, marked = [], NOT_GOLDEN in unit.lower()
    quoted = []
    for match in VERSIONED.finditer(unit):
        version = int(match[1])
        if version not in fingerprint.ALGORITHMS:
            problems.append(f"fingerprint algorithm v{version} (mlf knows {sorted(fingerprint.ALGORITHMS)})")
        if match[2] and (len(match[2]) == 64 or match[3]):
            quoted.append((version, match[2]))
    if "fingerprint" in unit.lower():
        quoted += [(None, match[1] or match[2]) for match in BARE.finditer(unit)]
    for version, digest in quoted:
        known = any(digest_ == digest if len(digest) == 64 else digest_.startswith(digest)
                    for version_, digest_ in golden if version in (None, version_))
        if not known and not marked:
            problems.append(f"fingerprint {digest[:16]}… is no golden value (write {NOT_GOLDEN!r} beside it if it "
                            "is meant to be another)")
    return problems


EXIT_CODES = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
# The training command's exit code when signal N killed it (README.md, "Exit codes"): mlf passes it on.
SIGNAL_CODES = set(range(129, 129 + 64))


def _value_problems(doc: Path) -> list[str]:
    text, golden, found = doc.read_text(encoding="utf-8"), _golden(), []
    for number, unit in _units(text):
        found += [f"{doc.name}:{number}: {problem}" for problem in _fingerprint_problems(unit, golden)]
        for match in EXIT.finditer(unit):
            if int(match[1]) not in EXIT_CODES | SIGNAL_CODES:
                found.append(f"{doc.name}:{number}: exit code {match[1]} (errors.py has {sorted(EXIT_CODES)}, "
                             "and 128+N for a signal)")
        for match in SCHEMA.finditer(unit):
            version = int(match[1] or match[2])
            if not 1 <= version <= sysinfo_schema.SCHEMA_VERSION:
                found.append(f"{doc.name}:{number}: sysinfo schema version {version} (mlf writes "
                             f"{sysinfo_schema.SCHEMA_VERSION})")
    return found


def test_the_value_checks_of_this_test_find_wrong_values():
    golden = _golden()
    digest = sorted(golden)[0][1]
    assert _fingerprint_problems(f"fingerprint `v{fingerprint.ALGORITHM}:{digest}`", golden) == []
    assert _fingerprint_problems(f"gives fingerprint {digest[:8]}… twice", golden) == []
    assert len(_fingerprint_problems(f"fingerprint `v9:{digest}`", golden)) == 2  # unknown version, no golden value
    assert len(_fingerprint_problems("the fingerprint `" + "ab" * 32 + "`", golden)) == 1
    assert _fingerprint_problems("the fingerprint `" + "ab" * 32 + "` (illustration, not in the golden table)",
                                 golden) == []
    assert _fingerprint_problems("commit `" + "ab" * 32 + "`", golden) == []  # no fingerprint in sight
    assert list(_units("a\nb\n\n| x |\n| y |\n- c\n- d\n\nshown:\n\n```\ne\n```\nf\n")) == [
        (1, "a b"), (4, "| x |"), (5, "| y |"), (6, "- c"), (7, "- d"), (9, "shown: e"), (14, "f")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_documented_version_fingerprint_and_exit_code_exists(doc):
    wrong = _value_problems(doc)
    assert not wrong, "values the program does not have:\n" + "\n".join(wrong)


def test_the_sysinfo_page_names_the_schema_version_mlf_writes():
    text = (ROOT / "docs" / "sysinfo.md").read_text(encoding="utf-8")
    assert f"## The record (schema version {sysinfo_schema.SCHEMA_VERSION})" in text


def test_the_readme_lists_every_exit_code_and_no_other():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    listed = {int(code) for code in re.findall(r"`(\d+)`", section)}
    assert listed == EXIT_CODES


# Pages a make target writes from a run, with the run's command and date at their top: their figures are the run's.
GENERATED = {"PERFORMANCE.md", "PROOF.md", "GPU.md", "RELIABILITY.md"}
FIGURE = re.compile(r"(?<![\w.:/-])(\d+(?:[.,]\d+)*)\s?(ms|s|min|h|KB|kB|KiB|MB|MiB|GB|GiB|%|x)(?![\w/])")
# A bound, not a measurement: "within 30 s", "over 16 MB", "from 256 MiB", "after 5 s", "30 s by default".
BOUND_BEFORE = re.compile(r"(?:within|over|from|after|at most|up to|grace of)\s+$")
BOUND_AFTER = re.compile(r"^\s*(?:by default|default)\b")
DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* 20\d\d\b")
# What starts a command in a code span (after VAR=value assignments), or a script run by path.
COMMAND_WORDS = {"mlf", "mlf-scaffold", "make", "python", "python3", "docker", "pytest", "bash", "sh", "taskset",
                 "time", "git"}
# Figures that are neither measured nor bounds, each with why it stays; (page, the figure as written).
FIGURES_ALLOWED = {
    ("tracking.md", "100 s"): "MLflow's retry schedule added up from its source, the file the sentence names",
}


def _has_command(text: str) -> bool:
    for span in re.findall(r"`([^`]+)`", text):
        words = span.split()
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
            words.pop(0)
        if words and (words[0] in COMMAND_WORDS or re.fullmatch(r"\S+\.(?:py|sh)", words[0])):
            return True
    return False


def _sections(text: str):
    """(first line, text) of each part of a page under one heading, to the next heading of any level."""
    part, start, fenced = [], 1, False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("#") and part:
            yield start, "\n".join(part)
            part, start = [], number
        part.append(line)
    if part:
        yield start, "\n".join(part)


def _figure_units(text: str):
    """(line, text) of each paragraph, list item, table or code block (these two with the paragraph before them)."""
    para: list[str] = []
    start, closed = 0, False
    lines = [*text.splitlines(), ""]
    number = 0
    while number < len(lines):
        stripped = lines[number].strip()
        number += 1
        if stripped.startswith(("```", "|")):
            block = [stripped]
            if stripped.startswith("```"):
                fence = stripped[:len(stripped) - len(stripped.lstrip("`"))]
                while number < len(lines) and not lines[number].strip().startswith(fence):
                    block.append(lines[number])
                    number += 1
                number += 1
            else:
                while number < len(lines) and lines[number].strip().startswith("|"):
                    block.append(lines[number])
                    number += 1
            yield (start if para else number - len(block) + 1), "\n".join([*para, *block])
            para, closed = [], False
            continue
        if not stripped:
            closed = bool(para)
            continue
        if para and (closed or stripped.startswith(("- ", "* ", "#")) or re.match(r"\d+\. ", stripped)):
            yield start, " ".join(para)
            para, closed = [], False
        if not para:
            start = number
        para.append(stripped)
    if para:
        yield start, " ".join(para)


def _unsupported_figures(name: str, text: str) -> list[str]:
    """The figures of one page that carry neither a command and a date (in their unit or their section) nor the
    wording of a bound, and are not allowed by name."""
    found = []
    for first, section in _sections(text):
        if _has_command(section) and DATE.search(section):
            continue
        for start, unit in _figure_units(section):
            if _has_command(unit) and DATE.search(unit):
                continue
            for match in FIGURE.finditer(unit):
                figure = match[0]
                if BOUND_BEFORE.search(unit[:match.start()]) or BOUND_AFTER.match(unit[match.end():]):
                    continue
                if (name, figure) not in FIGURES_ALLOWED:
                    found.append(f"{name}:{first + start - 1}: {figure}")
    return found


def test_the_figure_check_of_this_test_finds_a_figure_without_its_source():
    assert _unsupported_figures("x.md", "# A\n\nIt took 4.2 s here.\n") == ["x.md:3: 4.2 s"]
    assert _unsupported_figures("x.md", "# A\n\nIt took 4.2 s (`python bench.py`, 2026-12-06).\n") == []
    assert _unsupported_figures("x.md", "# A\n\nMeasured 6 Dec 2026 with `mlf bench`:\n\n| a | 3 ms |\n") == []
    assert _unsupported_figures("x.md", "# A\n\nIt stops within 30 s, or 5 s by default.\n") == []
    assert _unsupported_figures("x.md", "# A\n\n`make bench`, 2026-12-06.\n\n# B\n\n2.5x faster\n") == [
        "x.md:7: 2.5x"]


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc.name not in GENERATED],
                         ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_figure_says_the_command_and_the_date_that_gave_it(doc):
    wrong = _unsupported_figures(doc.name, doc.read_text(encoding="utf-8"))
    assert not wrong, ("figures without the command and the date that produced them (write both in the same "
                       "paragraph, table or section):\n" + "\n".join(wrong))


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_the_pages_whose_figures_are_not_checked_are_generated(name):
    head = "\n".join((ROOT / "docs" / name).read_text(encoding="utf-8").splitlines()[:4])
    assert re.search(r"(Generated|Written) (from .* )?by `make [\w-]+", head), f"{name} says no make target writes it"


def test_every_allowed_figure_is_still_in_its_page():
    for (name, figure), reason in FIGURES_ALLOWED.items():
        assert reason and figure in (ROOT / ("README.md" if name == "README.md" else f"docs/{name}")).read_text()
