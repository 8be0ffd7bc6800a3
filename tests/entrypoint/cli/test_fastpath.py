"""The `mlf` console script's fast path for `mlf run`: it reads exactly what the Typer command would, and leaves
everything else (help, bad values, unknown options) to Typer."""

import subprocess
import sys
from pathlib import Path

import pytest

from mlfcore.entrypoint.cli import app as cli
from mlfcore.entrypoint.cli import fastpath as launch
from mlfcore.entrypoint.supervise import command as run_command

from ..conftest import clean_environment

TORCHRUN_OPTIONS = {"--nproc", "--nnodes", "--node-rank", "--rdzv-endpoint", "--rdzv-backend", "--rdzv-id",
                    "--master-addr", "--master-port"}


def typer_reads(monkeypatch, args):
    """The keyword arguments the Typer command hands to run_command.execute for `mlf run ARGS`."""
    seen = {}

    def capture(command, **kwargs):
        seen.update(kwargs, command=command)
        return 0

    monkeypatch.setattr(run_command, "execute", capture)
    assert cli.main(["run", *args]) == 0
    return seen


DEFAULTS = {"seed": None, "threads": None, "portable": None, "allow_nondeterministic": False,
            "project": Path("."), "record": None, "no_lint": False, "launch": None}

SHAPES = [
    ["--", "python", "-c", "pass"],
    ["python", "train.py", "--seed", "9"],  # options after the command are the command's
    ["--seed", "7", "--threads=3", "--", "python", "x.py"],
    ["--no-portable", "--allow-nondeterministic", "--no-lint", "-C", "proj", "--record", "r.json", "--", "echo"],
    ["--portable", "--seed=4294967295", "--project=proj", "--", "echo", "--", "-x"],
    ["--seed", "1", "--seed", "2", "echo"],  # the last one wins, as in click
]


@pytest.mark.parametrize("args", SHAPES)
def test_the_fast_path_reads_what_typer_reads(monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    assert {**DEFAULTS, **launch.parse(args)} == typer_reads(monkeypatch, args)


@pytest.mark.parametrize("args", [
    ["--help"], [], ["--"], ["--seed", "-1", "--", "x"], ["--seed", "2x", "--", "x"], ["--threads", "0", "x"],
    ["--seed=", "x"], ["--unknown", "x"], ["-C=proj", "x"], ["--no-lint=1", "x"], ["--seed"],
    ["--seed", "4294967296", "x"], ["--project", "afile", "x"], ["--record", "adir", "x"],
])
def test_what_it_does_not_recognise_goes_to_typer(monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("")
    (tmp_path / "adir").mkdir()
    assert launch.parse(args) is None


def test_every_option_of_the_typer_command_is_in_the_fast_table():
    import typer.main

    command = typer.main.get_command(cli.app).commands["run"]
    names = {name for param in command.params if param.param_type_name == "option"
             for name in (*param.opts, *param.secondary_opts)}
    # torchrun's options (--nproc, --nnodes, ...) are left to Typer: a distributed start is no start-up race.
    assert names - TORCHRUN_OPTIONS == set(launch.VALUED) | set(launch.FLAGS)
    assert not TORCHRUN_OPTIONS & (set(launch.VALUED) | set(launch.FLAGS))


def test_a_torchrun_option_goes_to_typer(tmp_path):
    assert launch.parse(["--nproc", "2", "--", "python", "-c", "pass"]) is None


def test_the_console_script_runs_and_reports_through_the_fast_path(tmp_path):
    env = clean_environment(OMP_NUM_THREADS="5")
    code = "from mlfcore.entrypoint.cli.fastpath import run; import sys; sys.argv[0] = 'mlf'; run()"
    conflict = subprocess.run([sys.executable, "-c", code, "run", "--", "true"], env=env, cwd=tmp_path,
                              capture_output=True, text=True)
    assert conflict.returncode == 3 and "OMP_NUM_THREADS" in conflict.stderr
    ran = subprocess.run([sys.executable, "-c", code, "run", "--seed", "11", "--", sys.executable, "-c",
                          "import os, sys; sys.exit(int(os.environ['PYTHONHASHSEED']) + 1)"],
                         env=clean_environment(), cwd=tmp_path, capture_output=True, text=True)
    assert ran.returncode == 12, ran.stderr


LINT_STARTUP = """
import sys
sys.argv = ["mlf", "lint", sys.argv[1]]
from mlfcore.entrypoint.cli.fastpath import run
try:
    run()
except SystemExit as stop:
    code = stop.code
loaded = sorted(m for m in ("yaml", "mlfcore.entrypoint.commands.hash", "mlfcore.entrypoint.commands.train",
                            "mlfcore.entrypoint.cli.app", "mlfcore.entrypoint.train.project", "typer")
                if m in sys.modules)
print(code, loaded)
"""


def test_mlf_lint_starts_with_the_lint_command_alone(tmp_path):
    # `mlf lint PATH` runs the command's execute without Typer; the other commands' modules, YAML and the trainer
    # stay unloaded.
    (tmp_path / "one.py").write_text("x = 1\n")
    result = subprocess.run([sys.executable, "-c", LINT_STARTUP, "one.py"], cwd=tmp_path, capture_output=True,
                            text=True, env=clean_environment())
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_mlf_lint_through_the_fast_path_keeps_the_commands_errors(tmp_path):
    mlf = Path(sys.executable).with_name("mlf")
    result = subprocess.run([str(mlf), "lint", "--bogus"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2 and "No such option: --bogus" in result.stderr
    listing = subprocess.run([str(mlf), "lint", "--list-rules"], cwd=tmp_path, capture_output=True, text=True)
    assert listing.returncode == 0 and "lib-monai-unseeded" in listing.stdout


@pytest.mark.parametrize("args", [
    [], ["a.py"], ["a.py", "pkg"], ["--strict", "a.py"], ["--format", "json"], ["--format=sarif", "a.py"],
    ["--device", "cpu", "--select", "torch,contract", "a.py"], ["--ignore=lib", "--device=cuda", "--strict"],
    ["--select", "torch", "--select", "lib"],
])
def test_the_lint_fast_path_reads_what_the_typer_command_reads(monkeypatch, args):
    import inspect

    from mlfcore.entrypoint.commands import lint_core

    seen = {}
    signature = inspect.signature(lint_core.execute)

    def capture(*given, **keywords):
        seen.update(signature.bind(*given, **keywords).arguments)
        return 0

    monkeypatch.setattr(lint_core, "execute", capture)
    from mlfcore.entrypoint.commands import lint as lint_command

    monkeypatch.setattr(lint_command, "execute", capture)
    assert cli.main(["lint", *args]) == 0
    typer_read = {k: v for k, v in seen.items() if v != signature.parameters[k].default}
    seen.clear()
    parsed = launch.parse_lint(args)
    assert parsed is not None
    assert launch._lint(dict(parsed)) == 0
    fast_read = {k: v for k, v in seen.items() if v != signature.parameters[k].default}
    assert fast_read == typer_read


@pytest.mark.parametrize("args", [["--help"], ["--format", "xml"], ["--jobs", "2"], ["--table", "torch=2.13"],
                                  ["--select"], ["--select", "--strict"], ["--list-rules"], ["-C", "."],
                                  ["--", "a.py"], ["--strict=1"]])
def test_the_lint_fast_path_leaves_the_rest_to_typer(args):
    assert launch.parse_lint(args) is None
