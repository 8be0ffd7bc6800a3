"""`mlf reproduce RUN_ID`: re-run a recorded run with its parameters, seed and contract; compare the fingerprints."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from .. import console, variables
from ..train import provenance
from ..train.provenance import docker_line, rerun_image
from ..errors import CheckFailed, UsageError
from .options import OutputFormat, TextOrJson, wants_json
from .train import DEFAULT_ENTRY_POINT, Json, exit_code, show

_SETTINGS = ("mlf.seed", "mlf.threads", "mlf.portable", "mlf.allow_nondeterministic")


def _recorded_run(store, run_id: str):
    """The recorded run and the store to read it from: the project's own store when it holds the run finished
    (also a run not delivered yet), else the tracking server."""
    from mlflow.exceptions import MlflowException

    from ..train import remote, tracking

    run = None
    if store.local_path is not None and store.local_path.exists():
        try:
            run = tracking.client(store).get_run(run_id)
        except MlflowException as err:
            if not store.remote:
                raise UsageError(f"no run {run_id!r} in the tracking store {store.shown}: {err.message}",
                                 hint="give a run id from `mlf train`'s summary, and the project whose store holds "
                                      f"it (--project), or set {variables.MLFLOW_TRACKING_URI}") from None
    if store.remote and (run is None or "mlf.fingerprint" not in run.data.tags):
        store = store.server()
        try:
            run = remote.ask(store.uri, tracking.client(store).get_run, run_id, doing=f"read run {run_id}")
        except MlflowException as err:
            raise UsageError(f"no run {run_id!r} on the tracking server {store.shown}: {err.message}",
                             hint="give a run id from `mlf train`'s summary") from None
    if "mlf.fingerprint" not in run.data.tags:
        raise UsageError(f"run {run_id} has no result fingerprint: it was not a finished `mlf train` run",
                         hint="reproduce a run that `mlf train` finished")
    return run, store


def _show_recorded_environment(store, run_id: str, folder: Path, record: dict) -> None:
    """The sysinfo difference between the recorded run and this one, before the fingerprints are compared."""
    from mlflow.exceptions import MlflowException

    from ..sysinfo.render import show_environment_diff
    from ..train import tracking

    try:
        path = Path(tracking.client(store).download_artifacts(run_id, "mlf/sysinfo.json", str(folder)))
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (MlflowException, OSError):
        console.warn("the recorded run ran in another environment (its environment key differs); its sysinfo "
                     "record is unreadable here")
        return
    show_environment_diff(recorded, record, "the recorded run ran in another environment: expect differences")


def _rebuild_lines(store, run_id: str) -> list[str]:
    """How to rebuild the recorded run's image from its source (sysinfo/image.py), from the run's sysinfo record."""
    import tempfile

    from mlflow.exceptions import MlflowException

    from ..sysinfo import image as image_identity
    from ..train import tracking

    with tempfile.TemporaryDirectory(prefix="mlf-reproduce-") as folder:
        try:
            path = Path(tracking.client(store).download_artifacts(run_id, "mlf/sysinfo.json", folder))
            record = json.loads(path.read_text(encoding="utf-8"))
        except (MlflowException, OSError, ValueError):
            return []
    section = ((record.get("system") or {}).get("container") or {}).get("image")
    return image_identity.rebuild_lines(section)


def _replayed_params(store, run, project_dir: Path) -> dict[str, str]:
    """Exactly the entry point's parameters the run had (never the params the user's code logged itself)."""
    from ..train import tracking

    with tracking.in_project(project_dir.resolve()):
        return tracking.recorded_entry_params(store, run)


def _read_recorded(store, run_id: str, project_dir: Path):
    """Everything about the recorded run that the re-run needs, said to the user as it is read."""
    from rich.markup import escape

    from ..train import tracking

    run, store = _recorded_run(store, run_id)
    tags, recorded_params = run.data.tags, run.data.params
    params = _replayed_params(store, run, project_dir)
    settings = {k: recorded_params[k] for k in _SETTINGS if k in recorded_params}
    if "mlf.seed" not in settings or "mlf.threads" not in settings:
        raise UsageError(f"run {run_id} records no seed or thread count: it was not an `mlf train` run")
    data = _recorded_data(store, run, project_dir)
    line = docker_line(tags, params, settings, (data or {}).get("roots"))
    console.info(f"[bold]the recorded run[/] {run_id}: {escape(provenance.where(tags))}"
                 + (f"; to re-run it in {escape(rerun_image(tags) or 'the image')}:\n  {escape(line)}"
                    if line else ""))
    rebuild = _rebuild_lines(store, run_id) if line else []
    if rebuild:  # when the image cannot be pulled: how to build it again from its source
        console.info(escape("\n".join(rebuild)))
    differences = provenance.warnings(store, run_id, tags, project_dir)
    for warning in differences:
        console.warn(warning)
    experiment = tracking.client(store).get_experiment(run.info.experiment_id).name
    return run, store, line, rebuild, differences, experiment, params, settings, data


def data_change(recorded_tags: dict, recorded_data: dict | None, result) -> str | None:
    """How the data the re-run read differ from the recorded run's, naming the files when the recorded run's
    per-file hashes were read; None when they are the same or the recorded run hashed no data. The check before the
    re-run (pipeline.py) stops on differing data whenever it has the per-file record; this one also covers a record
    that could not be read (a tracking server that does not serve artifacts), so a differing fingerprint is never
    blamed on the outputs alone when the data changed."""
    from ..train import dataroots

    recorded_tree = recorded_tags.get("mlf.data_tree_sha256")
    here = result.data
    if recorded_tree is None or (here is not None and here.tree == recorded_tree):
        return None
    files = dataroots.differences((recorded_data or {}).get("files") or {}, here.files if here else {}) \
        if recorded_data else []
    if files:
        return "the data differ from the recorded run's: " + "; ".join(files)
    unread = "" if recorded_data else (" (its per-file hashes, mlf/data.json, are unreadable: `mlf hash` prints "
                                       "this data's)")
    return (f"the data differ from the recorded run's: its tree hash was {recorded_tree[:12]}…, here it is "
            f"{here.tree[:12] + '…' if here else 'none (no data declared)'}{unread}")


def _recorded_data(store, run, project_dir: Path) -> dict | None:
    """The recorded run's mlf/data.json (per-file hashes, data roots), when it hashed data."""
    from mlflow.exceptions import MlflowException

    from ..train import tracking

    if "mlf.data_tree_sha256" not in run.data.tags:
        return None
    with tempfile.TemporaryDirectory(prefix="mlf-data-") as folder, tracking.in_project(project_dir.resolve()):
        try:
            path = tracking.client(store).download_artifacts(run.info.run_id, "mlf/data.json", folder)
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except (MlflowException, OSError, ValueError):
            console.warn(f"the data record of run {run.info.run_id} is unreadable: the data are not compared before "
                         "the re-run")
            return None


@console.data_command
def reproduce(
    run_id: Annotated[str, typer.Argument(help="The MLflow run id `mlf train` printed.")],
    project_dir: Annotated[Path, typer.Option("--project", "-C", help="The project whose tracking store holds the "
                                                                     "run (unless MLFLOW_TRACKING_URI is set), "
                                                                     "and that is trained again.",
                                              file_okay=False)] = Path("."),
    output_format: OutputFormat = TextOrJson.text,
    as_json: Json = False,
) -> int:
    """Re-run a recorded run with its recorded parameters, seed and contract and compare its fingerprint with the
    recorded one. Prints the exact `docker run` line for the image the run used.

    Exit code: 0 when the fingerprints are identical; 1 when they differ; 2 for an unknown run or bad input; 75
    when the new run is recorded in the project but the tracking server did not take it (`mlf sync`).
    """
    from ..train import fingerprint, pipeline, remote, tracking

    if not project_dir.is_dir():
        raise UsageError(f"project directory {project_dir} does not exist", hint="give it with --project")
    store = tracking.resolve(project_dir.resolve())
    if store.local_path is not None and not store.local_path.exists() and not store.remote:
        # MLflow would create an empty store
        raise UsageError(f"no tracking store at {store.local_path}: no run was recorded there",
                         hint="give the project that `mlf train` ran in (--project), or set "
                              f"{variables.MLFLOW_TRACKING_URI}")
    if store.remote:
        tracking.check_remote_reachable(store)
    with remote.fail_fast(remote.READ_TIMEOUT_S):  # a server that fails costs one timeout, not MLflow's retries
        run, store, line, rebuild, differences, experiment, params, settings, data = _read_recorded(
            store, run_id, project_dir)
    tags = run.data.tags
    request = pipeline.Request(project_dir, params, tags.get("mlf.entry_point", DEFAULT_ENTRY_POINT),
                               experiment, int(settings["mlf.seed"]), int(settings["mlf.threads"]),
                               settings.get("mlf.portable") != "false",
                               settings.get("mlf.allow_nondeterministic") == "true",
                               example=tags.get("mlf.example"), tags={"mlf.reproduces": run_id},
                               recorded_data=data)
    result = pipeline.train(request)
    show(result)
    if result.exit_code != 0:
        console.error(f"the training failed (exit {result.exit_code}): nothing to compare")
        return result.exit_code
    with remote.fail_fast(remote.READ_TIMEOUT_S):
        recorded, folder = pipeline.recorded_outputs(store, run_id, tags["mlf.fingerprint"])
    try:
        if tags.get("mlf.environment_key") != result.environment_key:
            with tracking.in_project(project_dir.resolve()), remote.fail_fast(remote.READ_TIMEOUT_S):
                _show_recorded_environment(store, run_id, folder.parent, result.record)
        mismatch = fingerprint.compare(recorded, result.fingerprint, folder, result.output_base)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    from ..report.attach import attach

    attach(store, [run_id, result.run_id], [result.run_id], project_dir.resolve())  # both runs, side by side
    changed_data = data_change(tags, data, result)
    if changed_data:
        differences = [*differences, changed_data]
    if wants_json(output_format, as_json):
        console.out(json.dumps({"recorded_run": run_id, "recorded_fingerprint": recorded.digest,
                                "run": result.summary(), "identical": mismatch is None, "docker_run": line,
                                "rebuild": rebuild,
                                "differences": differences,
                                "mismatch": mismatch.to_dict() if mismatch else None}, indent=2))
    if mismatch is not None:
        raise CheckFailed(f"NOT reproduced: run {result.run_id} differs from the recorded run {run_id}; first "
                          f"differing artifact: {mismatch.describe()}" + (f"; {changed_data}" if changed_data else ""))
    if changed_data:  # the same bits from other data: said, though the fingerprints agree
        console.warn(changed_data)
    console.info(f"[bold green]reproduced[/]: run {result.run_id} gave the recorded fingerprint {recorded.digest}")
    return exit_code(result)


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce)
