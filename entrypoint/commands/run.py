"""`mlf run [OPTIONS] -- CMD ...`: run any command under the determinism contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..supervise import command as run_command
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
    from ..frameworks import launcher

    launch = launcher()(nproc, nnodes, node_rank, rdzv_endpoint, rdzv_backend, rdzv_id, master_addr, master_port)
    return run_command.execute(command, seed=seed, threads=threads, portable=portable,
                               allow_nondeterministic=allow_nondeterministic, project=project, record=record,
                               no_lint=no_lint, launch=launch if launch.distributed else None)


def register(app: typer.Typer) -> None:
    app.command("run", context_settings={"allow_interspersed_args": False})(run)
