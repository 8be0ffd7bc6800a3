"""`mlf tensorboard [RUN_ID ...] [--logdir DIR ...]`: TensorBoard on the event files of recorded runs, side by side.

A run is found as `mlf report` finds it (the project's store, or the tracking server MLFLOW_TRACKING_URI names), and
its event files among all of its artifacts. A local store's files are read where they lie; a server's folders that
hold event files are downloaded into the user cache first. Everything is checked before anything is downloaded, and
TensorBoard then replaces mlf (exec): it runs in the foreground, and a signal to mlf is a signal to TensorBoard.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, List, Optional

import typer

from .. import console, variables
from ..errors import UsageError
from ..tensorboard.eventfile import PREFIX, is_event_file
from .options import TextOrJson

DEFAULT_PORT = 6006  # TensorBoard's own default (tensorboard/plugins/core/core_plugin.py, --port)
DEFAULT_HOST = "127.0.0.1"  # TensorBoard has no authentication: only this machine, unless asked
CACHE = "tensorboard"  # under the user cache: event files downloaded from a tracking server, one folder a run
# In a container the server must listen on every interface for `docker run -p` to reach it; the host side publishes
# it on the host's loopback only.
CONTAINER_HOST = "0.0.0.0"  # noqa: S104 — inside the container's own network namespace


def _needs_tensorboard() -> None:
    if importlib.util.find_spec("tensorboard") is None:
        raise UsageError("mlf tensorboard needs TensorBoard, which is not installed here",
                         hint="it comes with the mlfcore images; elsewhere: pip install 'mlfcore[tensorboard]'")


@dataclass(frozen=True)
class Source:
    """One group of TensorBoard runs: its name in TensorBoard and the folder it reads."""

    name: str
    folder: Path
    run_id: str | None = None


def event_folders(client, run_id: str, path: str | None = None) -> list[str]:
    """The artifact folders of run `run_id` that hold event files ("" for the artifact root), sorted."""
    found: set[str] = set()
    for item in client.list_artifacts(run_id, path):
        if item.is_dir:
            found.update(event_folders(client, run_id, item.path))
        elif is_event_file(item.path):
            found.add(_posix(PurePosixPath(item.path).parent))
    return sorted(found)


def _posix(path: PurePosixPath) -> str:
    return "" if path == PurePosixPath(".") else path.as_posix()


def _root(folders: list[str]) -> str:
    """The folder TensorBoard reads for one run: the deepest one holding all `folders`. When that one holds event
    files itself, its parent: TensorBoard names each run `<group>/<folder relative to the read one>`
    (plugin_event_multiplexer.py, AddRunsFromDirectory), and `3f2a9c1d/outputs` says more than `3f2a9c1d/.`."""
    parts = [PurePosixPath(folder).parts for folder in folders]
    common = []
    for names in zip(*parts):
        if len(set(names)) > 1:
            break
        common.append(names[0])
    root = "/".join(common)
    return _posix(PurePosixPath(root).parent) if root and root in folders else root


def _download(client, run, folders: list[str], cache: Path) -> Path:
    """The run's folders that hold event files, downloaded under cache/<run id> (MLflow keeps the artifact paths),
    whole or not at all. A finished run's copy is reused: its artifacts no longer change."""
    import shutil
    import tempfile

    target = cache / run.info.run_id
    if target.is_dir() and run.info.status != "RUNNING":
        return target
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{run.info.run_id}-", dir=cache))
    try:
        for folder in folders:
            if not any(folder.startswith(f"{other}/") or other == "" for other in folders if other != folder):
                client.download_artifacts(run.info.run_id, folder, str(scratch))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _run_sources(run_ids: list[str], project_dir: Path) -> list[Source]:
    from ..report.gather import lookup
    from ..train import remote, tracking
    from .report import store_of

    store = store_of(project_dir)
    server = remote.is_remote(store.uri)
    if server:
        tracking.check_remote_reachable(tracking.resolve(project_dir.resolve()))
    client = tracking.client(store)
    ids = list(dict.fromkeys(run_ids))
    with tracking.in_project(project_dir.resolve()), remote.fail_fast(remote.READ_TIMEOUT_S):
        runs = [lookup(client, store, run_id) for run_id in ids]  # every id first: nothing downloaded for a typo
        folders = {run.info.run_id: event_folders(client, run.info.run_id) for run in runs}
        for run_id, found in folders.items():
            if not found:
                raise UsageError(f"run {run_id} has no TensorBoard event files (events.out.tfevents.*) among its "
                                 "artifacts",
                                 hint="write them into the run's output folder ({output_dir}, "
                                      f"${variables.MLF_OUTPUT_DIR}), e.g. with torch.utils.tensorboard.SummaryWriter")
        sources = []
        for run, name in zip(runs, _short_names(ids)):
            found = folders[run.info.run_id]
            if server:
                from ..cachedir import user_cache

                base = _download(client, run, found, user_cache() / CACHE)
            else:  # a local store's artifacts lie here: the path MLflow gives, no copy
                base = Path(client.download_artifacts(run.info.run_id, "")).resolve()
            root = _root(found)
            sources.append(Source(name, base / root if root else base, run.info.run_id))
    return sources


def _short_names(run_ids: list[str]) -> list[str]:
    """Each run under the first 8 characters of its id (as `mlf report` names its folders), or all of it when
    another run given starts the same."""
    return [run_id if sum(other[:8] == run_id[:8] for other in run_ids) > 1 else run_id[:8] for run_id in run_ids]


def _folder_sources(folders: list[Path]) -> list[Source]:
    sources = []
    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"--logdir {folder}: no such folder", hint="give a folder that holds event files")
        if not any(path.is_file() and is_event_file(path) for path in folder.rglob(f"{PREFIX}*")):
            raise UsageError(f"--logdir {folder} holds no TensorBoard event files (events.out.tfevents.*)",
                             hint="give the folder a SummaryWriter wrote to (its log_dir), or a run id")
        sources.append(Source(_safe(folder.resolve().name) or "logdir", folder.resolve()))
    return sources


def _distinct(sources: list[Source]) -> list[Source]:
    """Two folders of the same name (or one named like a run) get -2, -3, ...: TensorBoard would merge them."""
    taken: set[str] = set()
    named = []
    for source in sources:
        name, number = source.name, 2
        while name in taken:
            name, number = f"{source.name}-{number}", number + 1
        taken.add(name)
        named.append(Source(name, source.folder, source.run_id))
    return named


def _safe(name: str) -> str:
    """A group name --logdir_spec reads back whole: it splits the flag at commas and a group from its path at the
    first colon, and takes a spec starting with "/" for a path (data_ingester.py, _parse_event_files_spec)."""
    return name.replace(",", "-").replace(":", "-").lstrip("/")


def spec(sources: list[Source]) -> str:
    for source in sources:
        if "," in str(source.folder):
            raise UsageError(f"TensorBoard cannot read {source.folder}: its --logdir_spec splits paths at commas",
                             hint="move or link the folder to a path without a comma")
    return ",".join(f"{source.name}:{source.folder}" for source in sources)


def _program() -> list[str]:
    """The TensorBoard of this Python: its console script beside the interpreter (a venv need not be activated),
    else its module."""
    beside = Path(sys.executable).with_name("tensorboard")
    return [str(beside)] if os.access(beside, os.X_OK) else [sys.executable, "-m", "tensorboard.main"]


def command(sources: list[Source], host: str, port: int) -> list[str]:
    # --load_fast=false: with --logdir_spec TensorBoard takes its Python loader anyway, after a note saying so
    # (tensorboard/program.py, _should_use_data_server).
    return [*_program(), "--logdir_spec", spec(sources), "--host", host, "--port", str(port), "--load_fast=false"]


def _check_port(host: str, port: int) -> None:
    """Bad input before TensorBoard starts: a host that names no address here, a port something else listens on."""
    import socket

    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as err:
        raise UsageError(f"--host {host}: {err.strerror}", hint="give an address of this machine, e.g. 127.0.0.1") \
            from None
    with socket.socket(family, kind, protocol) as probe:
        # As TensorBoard's server binds (http.server's allow_reuse_address): a port in TIME_WAIT is free to it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise UsageError(f"TensorBoard cannot listen on {host} port {port}: {err.strerror or err}",
                             hint="give another port with --port, or stop what listens there") from None


def _url(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def _exec(argv: list[str]) -> None:
    """Replace mlf with TensorBoard, its stdout on our stderr: mlf's stdout carries data alone."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(2, 1)
    os.execv(argv[0], argv)


def viewing_line(results, project_root: Path) -> str | None:
    """The command that opens `results`' runs in TensorBoard, when their artifacts hold event files: `mlf tensorboard
    RUN ...`, or in our images the `docker run` of the image they ran in. None when no run has event files."""
    from mlflow.exceptions import MlflowException

    from ..train import provenance, tracking

    try:
        with tracking.in_project(project_root):
            client = tracking.client(results[0].store)
            shown = [r.run_id for r in results if event_folders(client, r.run_id)]
    except (MlflowException, OSError):  # a hint, never the run's outcome
        return None
    if not shown:
        return None
    # The docker form where the run ran in one of our images (or one built FROM them), as `mlf reproduce` decides
    # for its docker line (provenance.docker_line); any other container is one the user works in.
    tags = provenance.tags(results[0].record)
    image = tags.get(provenance.IMAGE) or ("IMAGE" if tags.get(provenance.IMAGE_DERIVED) == "true" else None)
    if image is None:
        return shlex.join(["mlf", "tensorboard", *shown])
    # -v "$PWD":/workspace as every docker line mlf prints: the project, and its store.
    line = ["docker", "run", "--rm", "-p", f"127.0.0.1:{DEFAULT_PORT}:{DEFAULT_PORT}", "-v", "$PWD:/workspace",
            image, "tensorboard", *shown, "--host", CONTAINER_HOST]
    return " ".join(shlex.quote(part) for part in line).replace("'$PWD:/workspace'", '"$PWD":/workspace')


def tell(results) -> None:
    """The last line `mlf train` and `mlf verify` print (stderr), when their runs have event files."""
    line = viewing_line(results, results[0].project.root)
    if line:
        console.info(f"[bold]open in TensorBoard[/]  {console.escape(line)}")


def tensorboard(
    run_ids: Annotated[Optional[List[str]], typer.Argument(help="MLflow run ids, as `mlf train` printed them; "
                                                                "several are shown side by side.",
                                                           metavar="[RUN_ID]...", show_default=False)] = None,
    logdirs: Annotated[Optional[List[Path]], typer.Option("--logdir", metavar="DIR",
                                                          help="A folder of event files to show too, or instead of "
                                                               "runs (repeatable).", show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port TensorBoard listens on.")]
    = DEFAULT_PORT,
    host: Annotated[str, typer.Option("--host", help="The address TensorBoard listens on (0.0.0.0: every "
                                                     "interface; TensorBoard asks no password).")] = DEFAULT_HOST,
    project_dir: Annotated[Path, typer.Option("--project", "-C", help="The project whose tracking store holds the "
                                              "runs (unless MLFLOW_TRACKING_URI is set).", file_okay=False)]
    = Path("."),
    print_only: Annotated[bool, typer.Option("--print", help="Print the tensorboard command line instead of "
                                                             "running it.")] = False,
    output_format: Annotated[TextOrJson, typer.Option("--format", help="text for people; json: the command, the "
                                                                       "address and each run's folder on stdout "
                                                                       "(before TensorBoard starts).")]
    = TextOrJson.text,
) -> int:
    """Open recorded runs in TensorBoard, side by side: their event files (events.out.tfevents.*) are found among
    the runs' artifacts, read in place from the project's store or downloaded from the tracking server. TensorBoard
    runs in the foreground until it is stopped (Ctrl-C).

    Exit code: TensorBoard's own; 0 with --print; 2 for an unknown run, a run or folder without event files, a port
    in use, or TensorBoard not installed (nothing downloaded or started).
    """
    _needs_tensorboard()
    if not run_ids and not logdirs:
        raise UsageError("no run and no folder to show", hint="give run ids (mlf tensorboard RUN_ID ...) or "
                                                              "--logdir DIR")
    folders = _folder_sources(logdirs or [])
    if not print_only:
        _check_port(host, port)
    sources = _distinct((_run_sources(run_ids, project_dir) if run_ids else []) + folders)
    argv = command(sources, host, port)
    if output_format is TextOrJson.json:
        console.out(json.dumps({"command": argv, "url": _url(host, port),
                                "runs": [{"name": s.name, "run_id": s.run_id, "folder": str(s.folder)}
                                         for s in sources]}, indent=2))
    elif print_only:
        console.out(shlex.join(argv))
    if print_only:
        return 0
    listed = ", ".join(f"{s.name} ({s.folder})" for s in sources)
    console.info(f"[bold]TensorBoard[/] at {_url(host, port)} (Ctrl-C stops it): {console.escape(listed)}")
    _exec(argv)
    return 0  # not reached: exec replaced this process


def register(app: typer.Typer) -> None:
    app.command("tensorboard")(tensorboard)
