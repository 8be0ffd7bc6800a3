"""What `mlf run` does, without the CLI: the Typer command (commands/run.py) and the start-up fast path
(cli/fastpath.py) both call `execute`, so they cannot drift apart."""

from __future__ import annotations

from pathlib import Path

from .. import bootstrap, config, console, contract, files
from . import child


def execute(command: list[str] | None, *, seed: int | None = None, threads: int | None = None,
            portable: bool | None = None, allow_nondeterministic: bool = False, project: Path = Path("."),
            record: Path | None = None, no_lint: bool = False, launch=None) -> int:
    """Run `command` under the contract; return its exit code, or 1 when the pre-run gate stopped it. `launch`
    (torchrun.Launch) starts it through torchrun, one process per rank; None is one process."""
    if record is not None:
        files.check_target(record)  # before anything runs: a bad path must not cost the run, or its exit code
    from ..frameworks import launcher

    launch = launch or launcher()()
    if command:
        command = launch.wrap(command)
    project_config = config.load(project)
    settings = config.settings(project_config, seed=seed, threads=threads, portable=portable,
                               allow_nondeterministic=allow_nondeterministic)
    deviations = contract.enforce(settings)
    if allow_nondeterministic or deviations or settings.allow:
        _say_nondeterministic(settings, deviations)
    env = bootstrap.child_environment(settings)
    if command:  # bad usage first: a program that cannot start is not worth linting a project for
        child.check_program(command, env)
    # Without a command there is nothing to protect: child.run reports the bad usage (exit 2).
    gate = None if no_lint or not command else _lint(project, project_config, command, allow_nondeterministic)
    stopped = gate is not None and gate.blocked
    code = 1 if stopped else child.run(command or [], env)
    if record is not None:
        import json

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

    decision = gate.decide(project, project_config, command, allow_nondeterministic=allow)
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
