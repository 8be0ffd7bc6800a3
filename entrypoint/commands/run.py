"""`mlf run [OPTIONS] -- CMD ...`: run any command under the determinism contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .. import config, console, contract, runner
from .options import AllowNondeterministic, Portable, Project, Seed, Threads


def run(
    command: Annotated[Optional[List[str]], typer.Argument(help="The command and its arguments.",
                                                           show_default=False)] = None,
    seed: Seed = None,
    threads: Threads = None,
    portable: Portable = None,
    allow_nondeterministic: AllowNondeterministic = False,
    project: Project = Path("."),
    record: Annotated[Optional[Path], typer.Option("--record", help="Write the contract the run ran under, and "
                                                                    "its exit code, to this JSON file.",
                                                   dir_okay=False)] = None,
) -> int:
    """Run CMD under the determinism contract: pinned environment, seeds, threads and kernel dispatch.

    Exit code: the command's own; 2 for bad usage; 3 when the environment contradicts the contract.
    """
    settings = config.settings(config.load(project), seed=seed, threads=threads, portable=portable,
                               allow_nondeterministic=allow_nondeterministic)
    deviations = runner.check(settings)
    if allow_nondeterministic or deviations or settings.allow:
        _say_nondeterministic(settings, deviations)
    code = runner.run(command or [], runner.child_environment(settings))
    if record is not None:
        payload = {"command": command, "exit_code": code, "contract": contract.record(settings)}
        record.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return code


def _say_nondeterministic(settings: contract.Settings, deviations: list[contract.Conflict]) -> None:
    lines = [c.describe() for c in deviations]
    lines += [f"{name} is relaxed by [tool.mlf] allow" for name in settings.allow]
    detail = "".join(f"\n  {line}" for line in lines) or " (no deviation found in the environment)"
    console.warn(f"[bold]this run is NOT covered by the determinism contract[/]{detail}")


def register(app: typer.Typer) -> None:
    app.command("run", context_settings={"allow_interspersed_args": False})(run)
