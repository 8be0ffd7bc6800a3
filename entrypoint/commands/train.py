"""`mlf train [PROJECT_DIR] [-P key=value ...]`: one deterministic training run, tracked in MLflow and fingerprinted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .. import console
from .launch_options import (MasterAddr, MasterPort, Nnodes, NodeRank, Nproc, RdzvBackend, RdzvEndpoint,
                             RdzvId)
from .options import AllowNondeterministic, OutputFormat, Portable, Seed, TextOrJson, Threads, wants_json

ProjectDir = Annotated[Path, typer.Argument(help="The project: an MLproject file or \\[tool.mlf.train] in "
                                                 "pyproject.toml; with neither, the image's bundled example.",
                                            show_default=".")]
Params = Annotated[Optional[List[str]], typer.Option("--param", "-P", metavar="KEY=VALUE",
                                                     help="An entry point parameter (repeatable); checked against "
                                                          "its declared type.")]
Experiment = Annotated[Optional[str], typer.Option("--experiment", help="MLflow experiment \\[default: "
                                                                         "\\[tool.mlf.train] experiment, else the "
                                                                         "project's name].")]
EntryPointName = Annotated[str, typer.Option("--entry-point", "-e", help="The MLproject entry point.")]
# The library loads only when a command runs: `mlf run`'s start-up does not pay for it (measured: 35 ms of imports).
DEFAULT_ENTRY_POINT = "main"  # train/project.py DEFAULT_ENTRY_POINT, MLflow's convention
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout (= --format json).")]
NoLint = Annotated[bool, typer.Option("--no-lint", help="Train without the pre-run lint (the run records that it "
                                                        "was skipped).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Hash every declared data file again, neither using nor "
                                                          "updating the data-hash cache (mlf hash --no-cache).")]


def request(project_dir: Path, params: list[str] | None, entry_point: str, experiment: str | None,
            seed: int | None, threads: int | None, portable: bool | None, allow_nondeterministic: bool,
            **extra):
    from ..train import pipeline, project

    return pipeline.Request(project_dir, project.parse_assignments(params or []), entry_point, experiment, seed,
                            threads, portable, allow_nondeterministic, **extra)


def _uri(uri: str) -> str:
    from ..train.redact import Redactor

    return Redactor().text(uri)


def show(result) -> None:
    """The short summary a person reads after a run (stderr)."""
    from rich.markup import escape

    rows = [("fingerprint", result.fingerprint.digest if result.fingerprint else "none (the training failed)"),
            ("environment key", result.environment_key),
            ("run", f"{result.run_id} (experiment {result.project.experiment!r}, {_uri(result.store.shown)}"
                    + (f", {result.delivery}" if result.delivery else "") + ")"),
            ("outputs", str(result.output_base)),
            ("fingerprinted", result.fingerprinted or "-"),
            ("open the UI", result.store.ui_command(result.project.root, result.run_url))]
    if "training" in result.seconds:
        rows.insert(3, ("training took", f"{result.seconds['training']:.1f} s"))
    width = max(len(name) for name, _ in rows)
    console.info("\n".join(f"[bold]{name:<{width}}[/]  {escape(value)}" for name, value in rows))


@console.data_command
def train(
    project_dir: ProjectDir = Path("."),
    params: Params = None,
    experiment: Experiment = None,
    entry_point: EntryPointName = DEFAULT_ENTRY_POINT,
    seed: Seed = None,
    threads: Threads = None,
    portable: Portable = None,
    allow_nondeterministic: AllowNondeterministic = False,
    no_lint: NoLint = False,
    no_cache: NoCache = False,
    output_format: OutputFormat = TextOrJson.text,
    as_json: Json = False,
    nproc: Nproc = 1, nnodes: Nnodes = "1", node_rank: NodeRank = None, rdzv_endpoint: RdzvEndpoint = None,
    rdzv_backend: RdzvBackend = None, rdzv_id: RdzvId = None, master_addr: MasterAddr = None,
    master_port: MasterPort = None,
) -> int:
    """Train under the determinism contract: lint, record the system, run the entry point tracked in MLflow, and
    fingerprint the result.

    Exit code: the training command's own; 1 when the pre-run lint finds errors or the training wrote no outputs;
    2 for bad input (project, MLproject, -P, tracking store or server); 3 when the environment contradicts the
    contract; 75 when the run is recorded in the project but the tracking server did not take it (`mlf sync`).
    """
    from ..frameworks import launcher
    from ..train import pipeline

    Launch = launcher()

    result = pipeline.train(request(project_dir, params, entry_point, experiment, seed, threads, portable,
                                    allow_nondeterministic, lint=not no_lint, hash_cache=not no_cache,
                                    launch=Launch(nproc, nnodes, node_rank, rdzv_endpoint, rdzv_backend, rdzv_id,
                                                  master_addr, master_port)))
    if result.exit_code != 0:
        state = "killed (resumable: train again)" if result.exit_code >= 128 else "failed"
        console.error(f"the training command exited with {result.exit_code}; run {result.run_id} is marked {state}")
    show(result)
    if wants_json(output_format, as_json):
        console.out(json.dumps(result.summary(), indent=2))
    from .tensorboard import tell

    tell([result])
    return exit_code(result)


def exit_code(*results) -> int:
    """The training's own exit code; else EXIT_UNDELIVERED when a run is recorded in the project only."""
    from ..errors import EXIT_UNDELIVERED

    failed = next((r.exit_code for r in results if r.exit_code != 0), 0)
    return failed or (EXIT_UNDELIVERED if any(r.delivery == "pending" for r in results) else 0)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
