"""`mlf verify [PROJECT_DIR] [--runs N]`: train N times in fresh processes and prove the results are bitwise equal."""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import console
from ..errors import CheckFailed, UsageError
from .options import AllowNondeterministic, OutputFormat, Portable, Seed, TextOrJson, Threads, wants_json
from .train import (DEFAULT_ENTRY_POINT, EntryPointName, Experiment, Json, NoLint, Params, ProjectDir, exit_code,
                    request, show)


def check_environments(results: list, across_environments: bool) -> None:
    """Refuse runs whose environment keys differ, unless asked to compare across environments (then show the
    sysinfo difference first)."""
    from ..sysinfo.render import show_environment_diff

    for index, result in enumerate(results[1:], start=2):
        if result.environment_key == results[0].environment_key:
            continue
        show_environment_diff(results[0].record, result.record,
                              f"run 1 and run {index} ran in different environments")
        if not across_environments:
            raise CheckFailed(f"runs 1 and {index} have different environment keys ({results[0].environment_key[:12]}"
                              f" vs {result.environment_key[:12]}): their fingerprints prove nothing about "
                              "determinism", hint="pass --across-environments to compare them anyway")


def compare_all(results: list, snapshots: list[Path]):
    """The first mismatch between run 1 and any later run, or None."""
    from ..train import fingerprint

    for result, folder in zip(results[1:], snapshots[1:]):
        mismatch = fingerprint.compare(results[0].fingerprint, result.fingerprint, snapshots[0], folder)
        if mismatch is not None:
            return mismatch
    return None


@console.data_command
def verify(
    project_dir: ProjectDir = Path("."),
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="How many fresh runs to compare (1 only with an "
                                                                  "expected fingerprint).")] = 2,
    expected: Annotated[Optional[str], typer.Option("--expect", metavar="FINGERPRINT",
                                                    help="The fingerprint the runs must give, as verify prints it "
                                                         "(v<algorithm>:<64 hex>) \\[default: \\[tool.mlf] expect, for "
                                                         "the project's default run].")] = None,
    params: Params = None,
    experiment: Experiment = None,
    entry_point: EntryPointName = DEFAULT_ENTRY_POINT,
    seed: Seed = None,
    threads: Threads = None,
    portable: Portable = None,
    allow_nondeterministic: AllowNondeterministic = False,
    across_environments: Annotated[bool, typer.Option("--across-environments",
                                                      help="Compare runs whose environment keys differ (the "
                                                           "sysinfo difference is shown first).")] = False,
    no_lint: NoLint = False,
    output_format: OutputFormat = TextOrJson.text,
    as_json: Json = False,
    resume_at: Annotated[Optional[int], typer.Option("--resume-at", min=1, metavar="K",
                                                     help="Compare an uninterrupted run with one stopped after step "
                                                          "K and resumed from its checkpoint.")] = None,
) -> int:
    """Train N times, each in a fresh process, and compare the result fingerprints bit for bit.

    With --expect (or \\[tool.mlf] expect) the fingerprint must also be the committed one: a mismatch shows the
    sysinfo difference to the run that recorded it, when the store has that run.

    Exit code: 0 only when every run gave the same fingerprint (and the expected one); 1 on a mismatch (the first
    differing artifact is named) or when environment keys differ; 2 for bad input; otherwise a failed training's
    own exit code; 75 when the runs are identical but the tracking server did not take them all (`mlf sync`).
    """
    from ..train import expect, pipeline
    from . import verify_expect

    expectation = verify_expect.resolve(project_dir, expected, params, entry_point, seed, threads, portable,
                                        allow_nondeterministic)
    if runs < 2 and expectation is None and resume_at is None:
        raise UsageError("--runs 1 compares nothing: one run proves determinism only against an expected "
                         "fingerprint", hint="give --expect, commit [tool.mlf] expect, or use --runs 2 or more")

    group = uuid.uuid4().hex[:12]  # tags the N runs of this verify in MLflow
    results: list[pipeline.Result] = []
    from .verify_resume import own_job

    with tempfile.TemporaryDirectory(prefix="mlf-verify-") as workspace:
        snapshots: list[Path] = []

        def make_request(environment=None):
            return request(project_dir, params, entry_point, experiment, seed, threads, portable,
                           allow_nondeterministic, tags={"mlf.verify": group}, lint=not no_lint,
                           environment={**own_job(group), **(environment or {})})

        runs = 2 if resume_at is not None else runs
        for index in range(1, runs + 1):
            console.info(f"[bold]verify: run {index} of {runs}[/]")
            if index == 2 and resume_at is not None:
                from .verify_resume import interrupted_run

                result = interrupted_run(pipeline.train, make_request, resume_at)
            else:
                result = pipeline.train(make_request())
            show(result)
            if result.exit_code != 0:
                console.error(f"run {index} failed (exit {result.exit_code}): nothing to compare")
                return result.exit_code
            results.append(result)
            # Declared outputs are overwritten by the next run: keep this run's files for the element-wise detail.
            snapshots.append(pipeline.snapshot(result, Path(workspace) / f"run-{index}"))
        from ..report.attach import attach

        ids = [result.run_id for result in results]
        attach(results[0].store, ids, ids, results[0].project.root)  # the report of the group, in each run
        check_environments(results, across_environments)
        mismatch = compare_all(results, snapshots)
        fields, unexpected = dict.fromkeys(verify_expect.FIELDS), None
        if mismatch is None and expectation is not None:
            fields, unexpected = verify_expect.check(expectation, results[0], snapshots[0])
    summary = {"runs": [r.summary() for r in results], "identical": mismatch is None,
               "mismatch": mismatch.to_dict() if mismatch else None, **fields}
    if wants_json(output_format, as_json):
        console.out(json.dumps(summary, indent=2))
    from .tensorboard import tell

    if mismatch is not None:
        unexpected = CheckFailed(f"NOT reproducible: the {runs} runs differ; first differing artifact: "
                                 f"{mismatch.describe()}",
                                 hint="mlf lint finds non-deterministic calls; outputs that hold times or random "
                                      "bytes can never match")
    if unexpected is not None:
        tell(results)  # before the verdict, which stays last: the curves side by side show where the runs part
        raise unexpected
    written = expect.written(results[0].fingerprint.digest, results[0].fingerprint.algorithm)
    if runs > 1:
        console.info(f"[bold green]reproducible[/]: {runs} runs gave bitwise identical results, fingerprint "
                     f"{written}")
    if expectation is None and resume_at is None:
        console.info(console.escape(verify_expect.suggestion(project_dir, written, params, entry_point, seed, threads,
                                                             portable, allow_nondeterministic)))
    tell(results)
    return exit_code(*results)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
