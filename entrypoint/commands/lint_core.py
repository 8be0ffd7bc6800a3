"""What `mlf lint` does, without its command line: the Typer command (commands/lint.py) and the console script's
fast path for the plain shapes of `mlf lint` (cli/fastpath.py) both call `execute`. Typer is not imported here:
importing it is a third of `mlf lint`'s start-up (`python -X importtime`), paid for nothing when the command line
is `mlf lint [PATHS...]`.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

from .. import config, console
from ..errors import UsageError
from ..lint import lint_paths, rules
from ..lint.config import from_table


class Device(str, Enum):
    any = "any"
    cpu = "cpu"
    cuda = "cuda"


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


# `--torch-version X.Y` is --table's name from before every framework could choose its table: documented in
# docs/lint.md, so it keeps working, as --table torch=X.Y.
LEGACY_OPTION_FRAMEWORK = "torch"


def _split(value: str | None, option: str = "--select") -> list[str] | None:
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:  # `--select ''` would check nothing and pass
        raise UsageError(f"{option} names no rule", hint=f"give rule ids or prefixes, e.g. {option} torch,contract")
    return parts


def _paths(given: list[str] | None, project: Path) -> list[Path]:
    if not given:
        return [project]
    if any(not text for text in given):  # '' would become "." and lint the current folder
        raise UsageError("an empty path was given", hint="name the files or folders to check, or none for the project")
    return [Path(text) for text in given]


def execute(paths: list[str] | None = None, output_format: Format = Format.text, select: str | None = None,
            ignore: str | None = None, strict: bool = False, table: list[str] | None = None,
            torch_version: str | None = None, jobs: int | None = None, device: Device = Device.any,
            list_rules: bool = False, project: Path = Path(".")) -> int:
    """`mlf lint` with its options as the command reads them; the exit code."""
    project_config = config.load(project)
    lint_config = from_table(project_config.table("lint"), project_config.path)
    versions = _tables(table or [], torch_version)
    if list_rules:
        _list_rules({**dict(lint_config.versions), **versions})
        return 0
    # An MLproject's entry points are checked only where there is one (train/project.py's MLPROJECT): importing the
    # trainer's project module costs 6 ms of every `mlf lint` start-up otherwise.
    if (Path(project) / "MLproject").is_file():
        from ..train.mlflow_compat import project_problems

        for problem in project_problems(project):  # not a finding of the code: said, never an exit code
            console.warn(problem)
    report = lint_paths(_paths(paths, project), base=Path.cwd(), config=lint_config, select=_split(select),
                        ignore=_split(ignore, "--ignore"), versions=versions, jobs=jobs).for_device(device.value)
    if output_format is Format.json:
        console.out(report.to_json())
    elif output_format is Format.sarif:
        from importlib import metadata

        console.out(json.dumps(report.to_sarif(metadata.version("mlfcore")), indent=2))
    else:
        console.out(report.render_text())
    return _incomplete_exit(report) or report.exit_code(strict)


def _incomplete_exit(report) -> int:
    """A file that could not be checked completely may hide an error: exit 70 naming it, never a quiet 0."""
    from ..errors import EXIT_INTERNAL
    from ..lint.engine import incomplete

    partial = [f for f in report.findings if incomplete(f)]
    for finding in partial:
        console.error(f"{finding.path}: checked incompletely ({finding.rule}): {finding.message}")
    return EXIT_INTERNAL if partial else 0


def _tables(given: list[str], legacy: str | None) -> dict[str, str]:
    """--table FRAMEWORK=X.Y (and the earlier --torch-version X.Y) as framework → table version."""
    from ..lint.framework_parts import lint_parts

    known = [name for name, _ in lint_parts()]
    versions = {}
    for text in given:
        name, equals, version = text.partition("=")
        if not equals or name not in known or not version:
            raise UsageError(f"--table {text!r} is not FRAMEWORK=X.Y", hint=f"frameworks with tables: {', '.join(known)}")
        versions[name] = version
    if legacy is not None:
        versions[LEGACY_OPTION_FRAMEWORK] = legacy
    return versions


def _list_rules(versions: dict[str, str]) -> None:
    known, tables = rules.all_rules(versions)
    console.out(f"# rule tables: {', '.join(f'{k} {v}' for k, v in sorted(tables.items()))}")
    for rule_id in sorted(known):
        rule = known[rule_id]
        in_code = rule.note.startswith("A check in code")
        linted = "" if rule.matches or in_code or rule.id.startswith("file-") else " (documented, not linted)"
        console.out(f"{rule_id:34} {rule.severity:8} {rule.message}{linted}")

