"""`mlf run [OPTIONS] -- CMD ...`: run any command under the determinism contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .. import config, console, contract, files, runner
from .launch_options import (MasterAddr, MasterPort, Nnodes, NodeRank, Nproc, RdzvBackend, RdzvEndpoint,
                             RdzvId)
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
    no_lint: Annotated[bool, typer.Option("--no-lint", help="Start CMD without linting the project's Python files "
                                                            "first (by default error-level findings stop the "
                                                            "run).")] = False,
    nproc: Nproc = 1, nnodes: Nnodes = "1", node_rank: NodeRank = None, rdzv_endpoint: RdzvEndpoint = None,
    rdzv_backend: RdzvBackend = None, rdzv_id: RdzvId = None, master_addr: MasterAddr = None,
    master_port: MasterPort = None,
) -> int:
    """Run CMD under the determinism contract: pinned environment, seeds, threads and kernel dispatch.

    Exit code: the command's own; 1 when the project's code has error-level lint findings (the command is not
    started); 2 for bad usage; 3 when the environment contradicts the contract.
    """
    if record is not None:
        files.check_target(record)  # before anything runs: a bad path must not cost the run, or its exit code
    from ..launch import Launch

    launch = Launch(nproc, nnodes, node_rank, rdzv_endpoint, rdzv_backend, rdzv_id, master_addr, master_port)
    if command:
        command = launch.wrap(command)
    project_config = config.load(project)
    settings = config.settings(project_config, seed=seed, threads=threads, portable=portable,
                               allow_nondeterministic=allow_nondeterministic)
    deviations = runner.check(settings)
    if allow_nondeterministic or deviations or settings.allow:
        _say_nondeterministic(settings, deviations)
    # Without a command there is nothing to protect: runner.run reports the bad usage (exit 2).
    gate = None if no_lint or not command else _lint(project, project_config, command, allow_nondeterministic)
    stopped = gate is not None and gate.blocked
    code = 1 if stopped else runner.run(command or [], runner.child_environment(settings))
    if record is not None:
        payload = {"command": command, "exit_code": code, "contract": contract.record(settings),
                   "lint": gate.record() if gate is not None else None,
                   "distributed": launch.record()}
        if stopped:
            payload["stopped"] = "lint findings at error level"
        files.write_atomically(record, json.dumps(payload, indent=2) + "\n")
    return code


def _lint(project: Path, project_config: config.ProjectConfig, command: list[str], allow: bool):
    """The pre-run gate (lint/gate.py decides); on a block show the report (stderr) and why nothing ran."""
    import sys

    from ..lint import gate  # imported here: `mlf run --no-lint` pays nothing for it

    decision = gate.check(project, project_config, command, allow_nondeterministic=allow)
    if decision.blocked:
        sys.stderr.write(decision.report.render_text())  # plain text: paths and code must not go through markup
        console.error(decision.message(), hint=gate.HINT)
    elif decision.report.has_errors or decision.report.has_warnings:
        console.warn(f"{decision.report.summary()} (run `mlf lint` for details)")
    return decision


def _say_nondeterministic(settings: contract.Settings, deviations: list[contract.Conflict]) -> None:
    lines = [c.describe() for c in deviations]
    lines += [f"{name} is relaxed by [tool.mlf] allow" for name in settings.allow]
    detail = "".join(f"\n  {console.escape(line)}" for line in lines) or " (no deviation found in the environment)"
    console.warn(f"[bold]this run is NOT covered by the determinism contract[/]{detail}", markup=True)


def register(app: typer.Typer) -> None:
    app.command("run", context_settings={"allow_interspersed_args": False})(run)
