"""Every `mlf` and `mlf-scaffold` command line shown in a code block of README.md or docs/*.md works as shown.

The commands are read from the docs' shell code blocks (sh, bash, shell, console; a `$ ` prompt is dropped) and from
`run:` lines of their YAML blocks (CI steps). Each one must be in CHECKS below, which says how it is checked:

- run: it is run for real, as the doc writes it, by the installed console script in a temporary folder (no network,
  no Docker), and must end with the exit code the doc implies;
- parse: running it needs what a test cannot have (a registry, Docker, a recorded training run, the user's shell
  files), or it is a usage synopsis with placeholders; a concrete instance of it is parsed by the real click command
  (typer.main.get_command), so its subcommands, options, option values and argument count are checked, with the
  reason it is not run.

A command line the docs gain without an entry here fails the test, and so does an entry the docs no longer show, so
the list stays the docs' own. Commands run inside an image (`docker run IMAGE train ...`) are
tests/images/test_documented_docker_runs.py's, which runs them as written or says why not. Whether each `--option` exists is also checked, for every command line in
prose too, by tests/test_docs_consistency.py.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
# typer (0.28) builds its commands on the click it vendors, not on the click package: its usage errors are these.
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from mlfcore.entrypoint.cli import app as mlf_cli
from mlfcore.scaffold import cli as scaffold_cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROGRAMS = {"mlf": mlf_cli.app, "mlf-scaffold": scaffold_cli.app}
SHELL_BLOCKS = {"sh", "bash", "shell", "console"}
COMMAND = re.compile(r"^(?:\$\s+|-?\s*run:\s+)?((?:mlf-scaffold|mlf)\s.*)$")


@dataclass(frozen=True)
class Run:
    """Run the documented line for real; `before` are commands (argv lists) that prepare the folder first."""
    exit_codes: frozenset[int]
    before: tuple[tuple[str, ...], ...] = ()
    inside: str = "."  # the folder, under the temporary one, the command runs in


@dataclass(frozen=True)
class Parse:
    """Parse `instances` (argv lists: the documented line, or concrete ones where it has placeholders) only."""
    reason: str
    instances: tuple[tuple[str, ...], ...]


def _ok(*codes: int) -> frozenset[int]:
    return frozenset(codes or (0,))


SYSINFO_A = ("mlf", "sysinfo", "--format", "json", "--fast", "--output", "a.json")
SYSINFO_B = ("mlf", "sysinfo", "--format", "json", "--fast", "--output", "b.json")
SCAFFOLD = ("mlf-scaffold", "new", "my-model", "--framework", "pytorch", "--owner", "my-org")
SYNOPSIS = "a usage synopsis (placeholders and optional parts), not a command; a concrete instance is parsed"
NEEDS_RUN = "needs a recorded training run (a training of minutes), which tests/entrypoint/report/ makes"
TENSORBOARD = ("it starts a TensorBoard server in the foreground; tests/entrypoint/commands/test_tensorboard.py starts one for real")
MLF_COMMANDS = ("run", "env", "lint", "sysinfo", "train", "verify", "reproduce", "report", "hash", "sync", "bench",
                "tensorboard")

# The documented command line (as extracted: prompt, comment and shell operators removed) → how it is checked.
CHECKS: dict[str, Run | Parse] = {
    "mlf --version": Run(_ok()),
    "mlf --install-completion": Parse("it writes to the user's shell start-up files",
                                      (("mlf", "--install-completion"),)),
    "mlf COMMAND --help": Parse("COMMAND is a placeholder: every command's --help is parsed",
                                tuple(("mlf", name, "--help") for name in MLF_COMMANDS)),
    "mlf-scaffold rebuild-check ghcr.io/mlfcore/base:0.1.0-python3.11-cpu": Parse(
        "it pulls from a registry and rebuilds with Docker",
        (("mlf-scaffold", "rebuild-check", "ghcr.io/mlfcore/base:0.1.0-python3.11-cpu"),)),
    "mlf lint [PATHS...] [--format text|json|sarif] [--select RULES] [--ignore RULES] [--strict]": Parse(
        SYNOPSIS, (("mlf", "lint"), ("mlf", "lint", "a.py", "src", "--format", "sarif", "--select", "DET001",
                                     "--ignore", "DET002", "--strict"))),
    "mlf lint --format sarif": Run(_ok(0, 1), before=(SCAFFOLD,), inside="my-model"),  # `|| true`: findings are fine
    "mlf report RUN_ID": Parse(NEEDS_RUN, (("mlf", "report", "f6ae529a27414193b1fe208e3b827aa5"),)),
    "mlf report RUN_A RUN_B RUN_C -o fig3": Parse(NEEDS_RUN, (("mlf", "report", "a1", "b2", "c3", "-o", "fig3"),)),
    "mlf report RUN_ID --format md": Parse(NEEDS_RUN, (("mlf", "report", "a1", "--format", "md"),)),
    "mlf report RUN_ID --format json": Parse(NEEDS_RUN, (("mlf", "report", "a1", "--format", "json"),)),
    "mlf tensorboard RUN_ID": Parse(NEEDS_RUN, (("mlf", "tensorboard", "f6ae529a27414193b1fe208e3b827aa5"),)),
    "mlf tensorboard RUN_A RUN_B --port 6007": Parse(NEEDS_RUN, (("mlf", "tensorboard", "a1", "b2", "--port", "6007"),)),
    "mlf tensorboard RUN_ID --project path/to/project": Parse(
        NEEDS_RUN, (("mlf", "tensorboard", "a1", "--project", "proj"),)),
    "mlf tensorboard --logdir runs/exp1 --logdir runs/exp2": Parse(
        TENSORBOARD, (("mlf", "tensorboard", "--logdir", "runs/exp1", "--logdir", "runs/exp2"),)),
    "mlf tensorboard RUN_ID --print": Parse(NEEDS_RUN, (("mlf", "tensorboard", "a1", "--print"),)),
    "mlf tensorboard RUN_ID --print --format json": Parse(
        NEEDS_RUN, (("mlf", "tensorboard", "a1", "--print", "--format", "json"),)),
    "mlf train .": Parse("it trains the project of the example around it; tests/entrypoint/commands run `mlf train` "
                         "on tiny projects", (("mlf", "train", "."),)),
    "mlf-scaffold new my-model --framework pytorch --owner my-org": Run(_ok()),
    "mlf sysinfo": Run(_ok()),
    "mlf sysinfo --format json --fast": Run(_ok()),
    "mlf sysinfo --format yaml --output sysinfo.yaml": Run(_ok()),
    "mlf sysinfo --key": Run(_ok()),
    # Two records of this machine: the same key, exit 0 (docs/sysinfo.md: 1 when they differ).
    "mlf sysinfo --diff a.json b.json": Run(_ok(), before=(SYSINFO_A, SYSINFO_B)),
    "mlf-scaffold tracking-server mlflow-lab": Run(_ok()),
    "mlf train [PROJECT_DIR] [-P key=value ...] [-e ENTRY] [--experiment NAME] [--seed N] [--threads N] "
    "[--format json]": Parse(SYNOPSIS, (("mlf", "train"), ("mlf", "train", "proj", "-P", "epochs=2", "-P", "lr=0.1",
                                                         "-e", "main", "--experiment", "x", "--seed", "1",
                                                         "--threads", "2", "--format", "json"))),
    "mlf verify [PROJECT_DIR] [--runs N] [--expect v3:HEX] [--across-environments] [same options as train]": Parse(
        SYNOPSIS, (("mlf", "verify"), ("mlf", "verify", "proj", "--runs", "3", "--expect", "v3:" + "0" * 64,
                                       "--across-environments", "-P", "epochs=2", "--seed", "1"))),
    "mlf reproduce RUN_ID [--project DIR] [--format json]": Parse(
        SYNOPSIS + "; " + NEEDS_RUN, (("mlf", "reproduce", "a1", "--project", "proj", "--format", "json"),)),
}


def _command(line: str) -> str | None:
    """The mlf or mlf-scaffold command of one code block line: without its prompt, trailing comment and whatever a
    shell operator joins to it (a redirection, a pipe, `|| true`)."""
    match = COMMAND.match(line.strip())
    if not match:
        return None
    words = []
    for word in shlex.split(match[1], comments=True):
        if word in {"|", "||", "&&", ";"} or word.startswith((">", "2>", "<")):
            break
        words.append(word)
    return " ".join(words)


def documented() -> dict[str, list[str]]:
    """Each documented command → where the docs show it (file:line)."""
    found: dict[str, list[str]] = {}
    for doc in DOCS:
        language, pending = None, ""
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                language = None if language is not None else (stripped.strip("`").strip() or "text")
                continue
            if language is None:
                continue
            if stripped.endswith("\\"):  # a continued shell line
                pending += stripped[:-1] + " "
                continue
            line, pending = pending + stripped, ""
            if language in SHELL_BLOCKS or (language == "yaml" and "run:" in line):
                command = _command(line)
                if command:
                    found.setdefault(command, []).append(f"{doc.relative_to(ROOT).as_posix()}:{number}")
    return found


def test_every_documented_command_has_a_check_and_every_check_a_documented_command():
    shown = documented()
    unchecked = sorted(f"{command!r} ({', '.join(places)})" for command, places in shown.items()
                       if command not in CHECKS)
    gone = sorted(command for command in CHECKS if command not in shown)
    assert not unchecked, "commands the docs show that this test neither runs nor parses; add them to CHECKS:\n" + \
        "\n".join(unchecked)
    assert not gone, "CHECKS entries no doc shows any more:\n" + "\n".join(gone)


def test_the_extraction_of_this_test_finds_commands():
    assert _command("$ mlf-scaffold rebuild-check IMAGE") == "mlf-scaffold rebuild-check IMAGE"
    assert _command("- run: mlf lint --format sarif > out.sarif || true") == "mlf lint --format sarif"
    assert _command("mlf sysinfo --key   # only the key") == "mlf sysinfo --key"
    assert _command("docker run --rm IMAGE python x.py   # (mlf run -- python x.py)") is None


def _parse(argv: tuple[str, ...]) -> None:
    """Parse argv with the real click command and each subcommand it names, as click's main would, running nothing.
    --help and --version end parsing with exit 0, as they do when run."""
    program, *args = argv
    command = typer.main.get_command(PROGRAMS[program])  # a new tree each call: changing it below is safe
    _disarm(command)
    try:
        context = command.make_context(program, list(args))
        while isinstance(command, TyperGroup):
            rest = [*context._protected_args, *context.args]
            if not rest:
                break
            name, command, rest = command.resolve_command(context, rest)
            context = command.make_context(name, rest, parent=context)
    except typer.Exit as stop:
        assert stop.exit_code == 0, f"{' '.join(argv)}: exit {stop.exit_code}"


def _stop(context, parameter, value):
    if value and not context.resilient_parsing:
        raise typer.Exit(0)
    return value


def _disarm(command) -> None:
    """Options that act while they are parsed instead of giving a value (eager ones, or ones not passed on to the
    command: --install-completion writes the user's shell files, --version and --help print) only end the parse
    here, as their own callbacks do once done."""
    for parameter in command.params:
        if parameter.callback is not None and (parameter.is_eager or not parameter.expose_value):
            parameter.callback = _stop
    original = command.get_help_option  # --help is made per context, outside params

    def help_option(context, original=original):
        option = original(context)
        if option is not None:
            option.callback = _stop
        return option
    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _disarm(sub)


@pytest.mark.parametrize("line", [line for line, check in CHECKS.items() if isinstance(check, Parse)])
def test_a_documented_command_that_cannot_run_here_parses(line):
    check = CHECKS[line]
    assert check.reason
    for argv in check.instances:
        _parse(argv)


def test_the_parse_of_this_test_refuses_what_the_cli_refuses():
    for argv in [("mlf", "report"), ("mlf", "lint", "--format", "pdf"), ("mlf", "trian"),
                 ("mlf-scaffold", "new", "x", "--framwork", "pytorch"), ("mlf", "reproduce", "a", "b")]:
        with pytest.raises(UsageError):
            _parse(argv)


def _script(program: str) -> str:
    """The console script installed beside this interpreter (the venv's), as a user runs it."""
    found = shutil.which(program, path=str(Path(sys.executable).parent))
    assert found, f"{program} is not installed beside {sys.executable}"
    return found


@pytest.fixture
def folder(tmp_path):
    """A temporary folder with its own HOME and caches, and no tracking server: what one command may write stays
    there."""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("MLFLOW_TRACKING_URI", None)
    (tmp_path / "home").mkdir()
    return tmp_path, env


@pytest.mark.parametrize("line", [line for line, check in CHECKS.items() if isinstance(check, Run)])
def test_a_documented_command_runs_with_the_exit_code_the_doc_implies(line, folder):
    check, (tmp, env) = CHECKS[line], folder
    for argv in check.before:
        done = subprocess.run([_script(argv[0]), *argv[1:]], cwd=tmp, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr[-2000:]}"
    argv = shlex.split(line)
    done = subprocess.run([_script(argv[0]), *argv[1:]], cwd=tmp / check.inside, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in check.exit_codes, (
        f"{line}: exit {done.returncode}, the doc implies {sorted(check.exit_codes)}\n{done.stderr[-2000:]}")
