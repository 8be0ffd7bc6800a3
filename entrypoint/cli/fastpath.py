"""The `mlf` console script: `mlf run` starts without building the Typer app; everything else goes to cli.py.

`mlf run` sits in front of every training command, so its start-up is paid on every run. Importing typer (and
click and rich through it) and registering every command cost 143 ms of a 180 ms `mlf run -- python -c pass`
(`python -X importtime -c "import mlfcore.entrypoint.cli.app"`, loaded machine). This module reads the common shapes
of an `mlf run` command line itself and calls the same `supervise.command.execute` as the Typer command. Anything it does
not recognise with certainty — `--help`, an unknown or malformed option, a value Typer would refuse — is passed to
the Typer app unchanged, so errors, help and messages stay Typer's alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import run_settings

# The options of commands/run.py (`mlf run --help`): name → (keyword, how to read the value; None for a flag).
# tests/entrypoint/test_launch.py checks this table against the Typer command's own parameters.
VALUED = {"--seed": "seed", "--threads": "threads", "--project": "project", "-C": "project", "--record": "record"}
FLAGS = {"--portable": ("portable", True), "--no-portable": ("portable", False),
         "--allow-nondeterministic": ("allow_nondeterministic", True), "--no-lint": ("no_lint", True)}


def _value(keyword: str, text: str) -> object | None:
    """The option's value as Typer would give it, or None when Typer must judge it (it says why)."""
    if keyword in ("seed", "threads"):
        if not text.isdigit() or not text.isascii():
            return None
        valid = run_settings.is_seed if keyword == "seed" else run_settings.is_threads  # the ranges' one owner
        return int(text) if valid(int(text)) else None
    path = Path(text)
    if not text or (keyword == "project" and not path.is_dir()) or (keyword == "record" and path.is_dir()):
        return None
    return path


def parse(args: list[str]) -> dict | None:
    """The keyword arguments of `supervise.command.execute` for `mlf run ARGS`, or None to leave it to Typer."""
    found: dict[str, object] = {}
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            index += 1
            break
        if not token.startswith("-"):  # allow_interspersed_args=False: the command starts here
            break
        name, equals, inline = token.partition("=")
        if name in FLAGS and not equals:
            keyword, value = FLAGS[name]
        elif name in VALUED and not (equals and not name.startswith("--")):  # click reads -C=x as "=x"
            if not equals and index + 1 >= len(args):
                return None
            keyword = VALUED[name]
            value = _value(keyword, inline if equals else args[index + 1])
            if value is None:
                return None
            index += 0 if equals else 1
        else:
            return None
        found[keyword] = value
        index += 1
    command = args[index:]
    return {**found, "command": command or None} if command else None


# `mlf lint`'s options the fast path reads itself (commands/lint.py): name → (keyword, the values it takes; None for
# any value that does not look like an option). Anything else (--help, --table, --jobs, --project, --list-rules, a
# value Typer would refuse) goes to the Typer command. tests/entrypoint/cli/test_fastpath.py compares the two.
LINT_VALUED = {"--format": ("output_format", ("text", "json", "sarif")), "--device": ("device", ("any", "cpu", "cuda")),
               "--select": ("select", None), "--ignore": ("ignore", None)}
LINT_FLAGS = {"--strict": "strict"}


def parse_lint(args: list[str]) -> dict | None:
    """The keyword arguments of `commands.lint_core.execute` for `mlf lint ARGS`, or None to leave it to Typer."""
    found: dict[str, object] = {}
    paths: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if not token.startswith("-"):
            paths.append(token)
        elif token in LINT_FLAGS:
            found[LINT_FLAGS[token]] = True
        else:
            name, equals, inline = token.partition("=")
            if name not in LINT_VALUED or (not equals and index + 1 >= len(args)):
                return None
            keyword, allowed = LINT_VALUED[name]
            value = inline if equals else args[index + 1]
            if (allowed is not None and value not in allowed) or (allowed is None and value.startswith("-")):
                return None
            found[keyword] = value
            index += 0 if equals else 1
        index += 1
    return {**found, "paths": paths or None}


def _lint(parsed: dict) -> int:
    """`mlf lint` without Typer: the command's own `execute`, its failures reported as cli/exits.py reports them."""
    from ..errors import MlfError
    from ..commands import lint_core

    try:
        if "output_format" in parsed:
            parsed["output_format"] = lint_core.Format(parsed["output_format"])
        if "device" in parsed:
            parsed["device"] = lint_core.Device(parsed["device"])
        return lint_core.execute(**parsed)
    except MlfError as failure:
        from .. import console

        console.error(failure.message, failure.hint)
        return failure.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as failure:  # the one broad handler: cli.py's, so an internal error reads the same
        from .exits import internal_error

        return internal_error(failure)


def run() -> None:
    args = sys.argv[1:]
    if args[:1] == ["lint"]:
        # `mlf lint` (pre-commit, editors, CI on every push) is started often. Its plain shapes (paths, --format,
        # --device, --select, --ignore, --strict) run the command's `execute` without Typer; any other goes to the
        # Typer command with only it registered. Either way the other commands' modules (and YAML, MLflow's helpers,
        # the trainer) are not imported (`python -X importtime`: Typer ~25 ms, the other commands ~40 ms).
        parsed = parse_lint(args[1:])
        if parsed is not None:
            sys.exit(_lint(parsed))
        from .lint_app import run as lint_run

        lint_run()
        return
    parsed = parse(args[1:]) if args[:1] == ["run"] else None
    if parsed is None:
        from .app import run as typer_run

        typer_run()
        return
    from ..errors import MlfError
    from ..supervise.command import execute

    try:
        code = execute(**parsed)
    except MlfError as failure:
        from .. import console

        console.error(failure.message, failure.hint)
        code = failure.exit_code
    except KeyboardInterrupt:  # before the child started: what cli.main returns for click's Abort
        code = 130
    except Exception as failure:  # the one broad handler: cli.py's, so an internal error reads the same
        from .exits import internal_error

        code = internal_error(failure)
    sys.exit(code)


if __name__ == "__main__":
    run()
