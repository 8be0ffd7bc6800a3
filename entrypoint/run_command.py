"""What `mlf run` does, without the CLI: the Typer command (commands/run.py) and the start-up fast path
(launch.py) both call `execute`, so they cannot drift apart."""

from __future__ import annotations

from pathlib import Path

from . import config, console, contract, files, runner


def execute(command: list[str] | None, *, seed: int | None = None, threads: int | None = None,
            portable: bool | None = None, allow_nondeterministic: bool = False, project: Path = Path("."),
            record: Path | None = None, no_lint: bool = False) -> int:
    """Run `command` under the contract; return its exit code, or 1 when the pre-run lint stopped it."""
    if record is not None:
        files.check_target(record)  # before anything runs: a bad path must not cost the run, or its exit code
    project_config = config.load(project)
    settings = config.settings(project_config, seed=seed, threads=threads, portable=portable,
                               allow_nondeterministic=allow_nondeterministic)
    deviations = runner.check(settings)
    if allow_nondeterministic or deviations or settings.allow:
        _say_nondeterministic(settings, deviations)
    # Without a command there is nothing to protect: runner.run reports the bad usage (exit 2).
    lint_report = None if no_lint or not command else _lint(project, project_config)
    stopped = lint_report is not None and lint_report.has_errors
    code = 1 if stopped else runner.run(command or [], runner.child_environment(settings))
    if record is not None:
        import json

        payload = {"command": command, "exit_code": code, "contract": contract.record(settings),
                   "lint": lint_report.to_dict() if lint_report is not None else None}
        if stopped:
            payload["stopped"] = "lint findings at error level"
        files.write_atomically(record, json.dumps(payload, indent=2) + "\n")
    return code


def _lint(project: Path, project_config: config.ProjectConfig):
    """Lint the project's Python files; on error-level findings show the report (stderr) and why nothing ran."""
    import sys

    from .lint import lint_project  # imported here: `mlf run --no-lint` pays nothing for it

    report = lint_project(project, project_config)
    if report.has_errors:
        sys.stderr.write(report.render_text())  # plain text: file paths and code must not go through markup
        console.error("the project's code has lint findings at error level: the command was not started",
                      hint="fix them, silence one with `# mlf: ignore[RULE]` on its line, or pass --no-lint")
    elif report.has_warnings:
        console.warn(f"{report.summary()} (run `mlf lint` for details)")
    return report


def _say_nondeterministic(settings: contract.Settings, deviations: list[contract.Conflict]) -> None:
    lines = [c.describe() for c in deviations]
    lines += [f"{name} is relaxed by [tool.mlf] allow" for name in settings.allow]
    detail = "".join(f"\n  {console.escape(line)}" for line in lines) or " (no deviation found in the environment)"
    console.warn(f"[bold]this run is NOT covered by the determinism contract[/]{detail}", markup=True)
