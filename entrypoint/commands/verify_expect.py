"""`mlf verify --expect V` and `[tool.mlf] expect`: the runs must also give the fingerprint the project committed.

Two runs that agree prove determinism on one machine; a committed value proves it on every machine that runs the
check, which is what a project's CI does on runners it never chose. On a mismatch the store is searched for the
run that recorded the value (by its `mlf.fingerprint` tag): when it is there, the sysinfo difference and the first
differing artifact say why; when it is not (a fresh CI container), the message says so.

`[tool.mlf] expect` holds the fingerprint of `mlf verify` as the project runs it by default: the default entry
point with its default parameters, under [tool.mlf]'s seed, thread count and portability. A command line that
changes any of these trains something else, so the committed value is then not compared (a note says why);
`--expect` is compared whatever the options.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import config, console
from ..errors import CheckFailed, UsageError
from ..train import expect
from ..train.expect import Expected
from .train import DEFAULT_ENTRY_POINT

KEY = "expect"  # [tool.mlf] expect (config.py TOP_LEVEL_KEYS)
# verify's JSON fields for the comparison (null without an expected value): docs/cli.md lists them.
FIELDS = ("expected", "expected_from", "matches_expected", "expected_recorded_by")


@dataclass(frozen=True)
class Expectation:
    value: Expected
    source: str  # where the value came from, for messages: "--expect" or "<pyproject.toml>: [tool.mlf] expect"


def _changed_by_command_line(project_config, params, entry_point: str, seed, threads, portable,
                             allow_nondeterministic: bool) -> list[str]:
    """What the command line changes against the project's default run (empty: it trains what was committed)."""
    changes = []
    if params:
        changes.append("-P parameters")
    if entry_point != DEFAULT_ENTRY_POINT:
        changes.append(f"entry point {entry_point!r}")
    if allow_nondeterministic:
        changes.append("--allow-nondeterministic")
    default = config.settings(project_config)
    given = config.settings(project_config, seed=seed, threads=threads, portable=portable)
    changes += [f"--{name}" for name in ("seed", "threads", "portable")
                if getattr(given, name) != getattr(default, name)]
    return changes


def resolve(project_dir: Path, flag: str | None, params, entry_point: str, seed, threads, portable,
            allow_nondeterministic: bool) -> Expectation | None:
    """The value this verify must give, or None; bad values and combinations raise UsageError before any run."""
    if flag is not None:
        if allow_nondeterministic:
            raise UsageError("--expect cannot be combined with --allow-nondeterministic: a run allowed to break the "
                             "contract is not expected to give committed bits",
                             hint="drop --allow-nondeterministic, or compare the runs with each other (no --expect)")
        return Expectation(expect.current(flag, "--expect"), "--expect")
    if not Path(project_dir).is_dir():
        return None  # the training's own checks name the missing project
    project_config = config.load(project_dir)
    if KEY not in project_config.values:
        return None
    where = f"{project_config.path}: [tool.mlf] {KEY}"
    value = expect.current(project_config.values[KEY], where)
    changes = _changed_by_command_line(project_config, params, entry_point, seed, threads, portable,
                                       allow_nondeterministic)
    if changes:
        console.info(console.escape(f"[tool.mlf] {KEY} is not compared: it is the fingerprint of the project's "
                                    f"default run, and this command changes {', '.join(changes)}"))
        return None
    return Expectation(value, where)


def suggestion(project_dir: Path, written: str, params, entry_point: str, seed, threads, portable,
               allow_nondeterministic: bool) -> str:
    """What to commit to prove these bits elsewhere: [tool.mlf] expect for the project's default run, else --expect
    with the same options."""
    changes = ["the project"] if not Path(project_dir).is_dir() else _changed_by_command_line(
        config.load(project_dir), params, entry_point, seed, threads, portable, allow_nondeterministic)
    if changes:
        return f"to prove these bits on another machine: mlf verify --expect {written}, with the same options"
    return f'to prove these bits on every machine that runs `mlf verify`, commit them: [tool.mlf] {KEY} = "{written}"'


def recorded_run(store, digest: str):
    """The first finished run in `store` whose fingerprint is `digest`, or None."""
    from mlflow.entities import ViewType

    from ..train import ownership, tracking

    client = tracking.client(store)
    experiments = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
    if not experiments:
        return None
    runs = client.search_runs(experiments, f"tags.`{ownership.FINGERPRINT_TAG}` = '{digest}'",
                              run_view_type=ViewType.ALL, max_results=1, order_by=["attributes.start_time ASC"])
    return runs[0] if runs else None


def _download(store, run_id: str, artifact: str, into: Path) -> Path:
    from ..train import tracking

    client = tracking.client(store)
    if store.default and store.local_path is not None:  # relative artifact locations: read from the project
        with tracking.in_project(store.local_path.parent):
            return Path(client.download_artifacts(run_id, artifact, str(into)))
    return Path(client.download_artifacts(run_id, artifact, str(into)))


def _explain(store, run, result, snapshot: Path) -> str:
    """Show the sysinfo difference to the recording run; return its first differing artifact, described."""
    from mlflow.exceptions import MlflowException

    from ..train import fingerprint, pipeline
    from ..sysinfo.render import show_environment_diff

    run_id = run.info.run_id
    recorded, outputs = pipeline.recorded_outputs(store, run_id, run.data.tags["mlf.fingerprint"])
    try:
        record = json.loads(_download(store, run_id, "mlf/sysinfo.json", outputs.parent).read_text(encoding="utf-8"))
        show_environment_diff(record, result.record, f"the run that recorded the expected value ({run_id}) and "
                                                     "this one")
    except (MlflowException, OSError, ValueError):
        console.warn(f"the sysinfo record of run {run_id} is unreadable here: no environment difference to show")
    try:
        mismatch = fingerprint.compare(recorded, result.fingerprint, outputs, snapshot)
    finally:
        shutil.rmtree(outputs.parent, ignore_errors=True)
    return (mismatch.describe() if mismatch else "no artifact differs") + _settings_differ(store, run, result)


def _settings_differ(store, run, result) -> str:
    """The parameters and contract settings (MLflow params `mlf.*`) the two runs did not share, as a clause."""
    from ..train import tracking

    mine = tracking.client(store).get_run(result.run_id).data.params
    theirs = run.data.params
    names = sorted(n for n in set(mine) | set(theirs) if n.startswith("mlf.") and mine.get(n) != theirs.get(n))
    if not names:
        return ""
    return "; the recorded run had " + ", ".join(f"{n}={theirs.get(n)} (here {mine.get(n)})" for n in names)


def check(expectation: Expectation, result, snapshot: Path) -> tuple[dict, CheckFailed | None]:
    """Compare run 1 (`result`, its files in `snapshot`) with the expected value: the JSON fields, and on a
    mismatch the failure to raise (after the explanation was shown)."""
    got = expect.written(result.fingerprint.digest, result.fingerprint.algorithm)
    fields = {"expected": str(expectation.value), "expected_from": expectation.source,
              "matches_expected": got == str(expectation.value), "expected_recorded_by": None}
    if fields["matches_expected"]:
        console.info(f"[bold green]as expected[/]: {got} is the value of {console.escape(expectation.source)}")
        return fields, None
    run = recorded_run(result.store, expectation.value.digest)
    if run is None:
        why = ("the store holds no run with the expected fingerprint, so what differs cannot be shown here; "
               "`mlf sysinfo --diff` of the two machines' records does")
    else:
        fields["expected_recorded_by"] = run.info.run_id
        why = f"against run {run.info.run_id}, which recorded it: {_explain(result.store, run, result, snapshot)}"
    return fields, CheckFailed(
        f"NOT the expected bits: the runs gave {got}, {expectation.source} expects {expectation.value}; {why}",
        hint="a changed example, framework pin or mlf version changes the bits on purpose: then commit the new "
             "value; otherwise the machine differs in what decides the bits (the difference above)")
