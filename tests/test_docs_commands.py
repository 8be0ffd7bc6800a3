"""Every `mlf` and `mlf-scaffold` command line shown in a code block of README.md or docs/*.md works as shown.

The commands are read from the docs' shell code blocks (sh, bash, shell, console; a `$ ` prompt is dropped) and from
`run:` lines of their YAML blocks (CI steps). Each one must be in CHECKS below, which says how it is checked:

- run: it is run for real, as the doc writes it (or, for a usage synopsis, concrete instances of it), by the installed
  console script in a temporary folder (no network, no Docker), and must end with the exit code the doc implies.
  Commands about recorded runs (RUN_ID, RUN_A ...) run in a small project this module trains with `mlf train`
  (its training writes a TensorBoard log), with those words replaced by its run ids; a command that serves
  TensorBoard in the foreground must answer over HTTP with the run's scalars, and then ends by SIGTERM, as a user's
  Ctrl-C ends it;
- parse: running it needs what a test here cannot have (a registry; one such line is left), so a concrete instance of
  it is parsed by the real click command (typer.main.get_command): its subcommands, options, option values and
  argument count are checked, with the reason it is not run and the test that runs its like.

A command line the docs gain without an entry here fails the test, and so does an entry the docs no longer show, so
the list stays the docs' own. Commands run inside an image (`docker run IMAGE train ...`) are
tests/images/test_documented_docker_runs.py's, which runs them as written or says why not. Whether each `--option`
exists is also checked, for every command line in prose too, by tests/test_docs_consistency.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
# typer (0.28) builds its commands on the click it vendors, not on the click package: its usage errors are these.
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from mlfcore.entrypoint.cli import app as mlf_cli
from mlfcore.scaffold import cli as scaffold_cli
from tests.tensorboard_http import poll

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
    instances: tuple[tuple[str, ...], ...] = ()  # what to run instead of the line (a synopsis' concrete forms)
    recorded: bool = False  # in the trained project's folder (PROJECT), RUN_ID/RUN_A/RUN_B/RUN_C its run ids
    serves: int = 0  # the port a foreground TensorBoard must answer on before SIGTERM ends it
    says: str = ""  # text its output must contain (what the doc shows it print)
    json: bool = False  # its stdout must be one JSON document


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
PROJECT = "work/path/to/project"  # the trained project, where docs/tensorboard.md's --project line expects it
MLF_COMMANDS = ("run", "env", "lint", "sysinfo", "train", "verify", "reproduce", "report", "hash", "sync", "bench",
                "tensorboard")

# The documented command line (as extracted: prompt, comment and shell operators removed) → how it is checked.
CHECKS: dict[str, Run | Parse] = {
    "mlf --version": Run(_ok()),
    "mlf --install-completion": Run(_ok(), says="completion installed"),  # into the temporary HOME
    "mlf COMMAND --help": Run(_ok(), instances=tuple(("mlf", name, "--help") for name in MLF_COMMANDS)),
    "mlf-scaffold rebuild-check ghcr.io/mlfcore/base:0.1.0-python3.11-cpu": Parse(
        "the ghcr.io name is a registry's, which this machine cannot reach; tests/images/test_rebuild_heavy.py "
        "runs the same command on each image built here (make test-all), tests/scaffold/test_rebuild_check.py on "
        "a project's",
        (("mlf-scaffold", "rebuild-check", "ghcr.io/mlfcore/base:0.1.0-python3.11-cpu"),)),
    "mlf lint [PATHS...] [--format text|json|sarif] [--select RULES] [--ignore RULES] [--strict]": Run(
        _ok(0, 1), before=(SCAFFOLD,), inside="my-model",
        instances=(("mlf", "lint"), ("mlf", "lint", "my_model", "tests", "--format", "sarif", "--select", "torch",
                                     "--ignore", "torch-conv", "--strict"))),
    "mlf lint --format sarif": Run(_ok(0, 1), before=(SCAFFOLD,), inside="my-model", json=True),  # `|| true`
    "mlf report RUN_ID": Run(_ok(), recorded=True, says="report-"),
    "mlf report RUN_A RUN_B RUN_C -o fig3": Run(_ok(), recorded=True, says="fig3"),
    "mlf report RUN_ID --format md": Run(_ok(), recorded=True, says="RUN_ID"),
    "mlf report RUN_ID --format json": Run(_ok(), recorded=True, json=True),
    "mlf tensorboard RUN_ID": Run(_ok(), recorded=True, serves=6006),
    "mlf tensorboard RUN_A RUN_B --port 6007": Run(_ok(), recorded=True, serves=6007),
    "mlf tensorboard RUN_ID --project path/to/project": Run(_ok(), recorded=True, inside="work", serves=6006),
    "mlf tensorboard --logdir runs/exp1 --logdir runs/exp2": Run(_ok(), recorded=True, serves=6006),
    "mlf tensorboard RUN_ID --print": Run(_ok(), recorded=True, says="tensorboard"),
    "mlf tensorboard RUN_ID --print --format json": Run(_ok(), recorded=True, json=True),
    "mlf train .": Run(_ok(), recorded=True, says="open in TensorBoard  mlf tensorboard "),
    "mlf-scaffold new my-model --framework pytorch --owner my-org": Run(_ok()),
    "mlf sysinfo": Run(_ok()),
    "mlf sysinfo --format json --fast": Run(_ok(), json=True),
    "mlf sysinfo --format yaml --output sysinfo.yaml": Run(_ok()),
    "mlf sysinfo --key": Run(_ok()),
    # Two records of this machine: the same key, exit 0 (docs/sysinfo.md: 1 when they differ).
    "mlf sysinfo --diff a.json b.json": Run(_ok(), before=(SYSINFO_A, SYSINFO_B)),
    "mlf-scaffold tracking-server mlflow-lab": Run(_ok()),
    "mlf train [PROJECT_DIR] [-P key=value ...] [-e ENTRY] [--experiment NAME] [--seed N] [--threads N] "
    "[--format json]": Run(_ok(), recorded=True, json=True, instances=(
        ("mlf", "train", ".", "-P", "epochs=2", "-P", "lr=0.1", "-e", "main", "--experiment", "x", "--seed", "1",
         "--threads", "2", "--format", "json"),)),
    "mlf verify [PROJECT_DIR] [--runs N] [--expect v3:HEX] [--across-environments] [same options as train]": Run(
        _ok(), recorded=True, json=True, instances=(
            ("mlf", "verify", ".", "--runs", "2", "--expect", "FINGERPRINT", "-P", "epochs=2", "--seed", "1",
             "--format", "json"),)),
    "mlf reproduce RUN_ID [--project DIR] [--format json]": Run(
        _ok(), recorded=True, inside="work", json=True,
        instances=(("mlf", "reproduce", "RUN_ID", "--project", "path/to/project", "--format", "json"),)),
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
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "SHELL": "/bin/bash"}  # --install-completion's shell, when it cannot tell from its parent
    env.pop("MLFLOW_TRACKING_URI", None)
    (tmp_path / "home").mkdir()
    return tmp_path, env


TRAIN = """\
import argparse, os
from pathlib import Path
from mlfcore.entrypoint.tensorboard import ScalarWriter

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int)
parser.add_argument("--lr", type=float)
args = parser.parse_args()
out = Path(os.environ["MLF_OUTPUT_DIR"])
with ScalarWriter(out / "tb") as writer:
    for step in range(args.epochs):
        writer.add_scalar("loss", args.lr * 0.5 ** step, step)
(out / "model.txt").write_text(f"{args.epochs} {args.lr}")
"""
MLPROJECT = """\
name: docs-project
entry_points:
  main:
    parameters:
      epochs: {{type: int, default: 3}}
      lr: {{type: float, default: 0.25}}
    command: "{python} train.py --epochs {{epochs}} --lr {{lr}}"
"""
UP_S = 240  # how long TensorBoard may take to answer (a guard against a hang, never what decides a pass)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A project trained 3 times by `mlf train` (RUN_A, RUN_B, RUN_C; RUN_ID is the first) and once with
    `-P epochs=2 --seed 1` (its fingerprint is FINGERPRINT), in PROJECT, whose `runs/exp1` and `runs/exp2` hold
    the first two runs' event files."""
    tmp = tmp_path_factory.mktemp("documented-runs")
    shim = tmp / "no-tensorflow" / "tensorflow"  # TensorBoard imports TensorFlow where it is installed: 12 s of
    shim.mkdir(parents=True)                   # CPU a start here; our images have none (test_tensorboard.py)
    (shim / "__init__.py").write_text('raise ImportError("hidden by the test")\n')
    env = {**os.environ, "HOME": str(tmp / "home"), "XDG_CACHE_HOME": str(tmp / "cache"),
           "PYTHONPATH": str(shim.parent), "SHELL": "/bin/bash", "NO_COLOR": "1"}
    env.pop("MLFLOW_TRACKING_URI", None)
    (tmp / "home").mkdir()
    project = tmp / PROJECT
    project.mkdir(parents=True)
    (project / "train.py").write_text(TRAIN)
    (project / "MLproject").write_text(MLPROJECT.format(python=shlex.quote(sys.executable)))
    runs = []
    for extra in ([], [], [], ["-P", "epochs=2", "--seed", "1"]):
        done = subprocess.run([_script("mlf"), "train", ".", "--format", "json", *extra], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(json.loads(done.stdout))
    for name, run in zip(("exp1", "exp2"), runs):
        shutil.copytree(Path(run["outputs"]) / "tb", project / "runs" / name)
    words = {"RUN_ID": runs[0]["run_id"], "RUN_A": runs[0]["run_id"], "RUN_B": runs[1]["run_id"],
             "RUN_C": runs[2]["run_id"], "FINGERPRINT": runs[3]["expect"]}
    return tmp, env, words


def _instances(line: str, check: Run, words: dict[str, str]) -> list[list[str]]:
    forms = [list(argv) for argv in check.instances] or [shlex.split(line)]
    return [[words.get(word, word) for word in argv] for argv in forms]


def _serve(argv: list[str], port: int, cwd: Path, env: dict, log: Path) -> None:
    """Start the documented TensorBoard command, read its runs and the first run's scalars over HTTP, end it with
    SIGTERM: what a user sees in the browser, then Ctrl-C."""
    with log.open("wb") as output:
        server = subprocess.Popen(argv, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/data"
        runs = poll(f"{url}/runs", bool, server, log, UP_S)
        query = urllib.parse.urlencode({"run": runs[0], "tag": "loss"})
        points = poll(f"{url}/plugin/scalars/scalars?{query}", lambda found: len(found) >= 2, server, log, UP_S)
        assert [point[1:] for point in points][:2] == [[0, 0.25], [1, 0.125]], runs
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=UP_S)


@pytest.mark.parametrize("line", [line for line, check in CHECKS.items() if isinstance(check, Run)])
def test_a_documented_command_runs_with_the_exit_code_the_doc_implies(line, folder, request):
    check = CHECKS[line]
    if check.recorded:
        root, env, words = request.getfixturevalue("recorded")
        tmp = root / PROJECT if check.inside == "." else root / check.inside
    else:
        (root, env), words = folder, {}
        tmp = root / check.inside
    for argv in check.before:
        done = subprocess.run([_script(argv[0]), *argv[1:]], cwd=root, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr[-2000:]}"
    for argv in _instances(line, check, words):
        argv = [_script(argv[0]), *argv[1:]]
        for report in [*tmp.glob("report-*"), tmp / "fig3"]:  # the doc's report lines are alternatives: each
            shutil.rmtree(report, ignore_errors=True)       # writes its folder anew (an existing one is refused)
        if check.serves:
            _serve(argv, check.serves, tmp, env, root / "tensorboard.log")
            continue
        done = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode in check.exit_codes, (
            f"{line}: exit {done.returncode}, the doc implies {sorted(check.exit_codes)}\n{done.stderr[-2000:]}")
        if check.json:
            json.loads(done.stdout)
        says = check.says
        for word, value in words.items():  # what the doc calls RUN_ID is shown as the id
            says = says.replace(word, value)
        assert says in done.stdout + done.stderr, f"{line}: {says!r} not in its output"
