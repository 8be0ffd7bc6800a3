"""`mlflow run` in our images: the entry point MLflow starts there trains as `mlf train` does, in MLflow's run.

MLflow's docker backend creates the run on the host, logs every declared parameter's value, then starts the
project's image with the entry point's rendered command as its arguments and MLFLOW_RUN_ID, MLFLOW_TRACKING_URI and
MLFLOW_EXPERIMENT_ID set (mlflow/projects/backend/local.py, `_get_docker_command`; mlflow/projects/utils.py,
`_create_run` and `get_run_env_vars`). Our images' entrypoint is `mlf`: when its arguments are no mlf command,
MLFLOW_RUN_ID is set and the working folder holds an MLproject (the project, which the MLproject's docker_env mounts
at /workspace), dispatch.py hands the command here instead of running it bare. Then:

- the run must be one `mlflow run` opened: its tag `mlflow.project.entryPoint` names the entry point, and its
  params are the parameters' values, which MLflow logged shell-quoted (`EntryPoint._sanitize_value_dict`); unquoted,
  they are the `-P` values a `mlf train` gets, checked the same way (`-P epochs=abc` is exit 2 before any training:
  MLflow 3.17 itself checks only `path` and `uri` values, `Parameter.compute_value`);
- the command MLflow started must be the one this entry point renders with those values, or the MLproject here is
  not the one `mlflow run` read (the project is not mounted, or the image holds an older copy);
- then the train pipeline runs in that run, as `mlf train`: contract, lint gate, records, a per-run output folder
  and the fingerprint, so both give the same fingerprint. mlf sets the run's end state; MLflow leaves a run that is
  already terminated as it is (mlflow/projects/__init__.py, `_maybe_set_run_terminated`). A refusal marks the run
  FAILED itself, so no run is left RUNNING even when the `mlflow run` that waits for it is gone.

The store: MLflow mounts a local sqlite store's file at /mlflow/tmp/mlruns (mlflow/projects/docker.py,
`get_docker_tracking_cmd_and_envs`), a folder the image's user cannot create sqlite's journal in (measured: "attempt
to write a readonly database"). When that file is the project's own mlflow.db, mounted with the project, mlf opens
the project's store instead: the same file, in a folder that takes the journal.

The artifacts: MLflow mounts the run's local artifact folder with `-v` before the container starts
(mlflow/projects/backend/local.py, `_get_local_artifact_cmd_and_envs`), so the Docker engine creates it, and any
missing parent, as root (github.com/mlflow/mlflow/issues/2883): the image's user (uid 1000) cannot write there
(measured: "Permission denied: .../artifacts/mlf"). Started as root (`mlflow run . -A user=0`) in a project that
belongs to another user, mlf gives MLflow's folders of this run to the project's owner and trains as that user, so
every file the run leaves in the project is the owner's; started as a user who cannot write there, it stops before
any training and says so.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from urllib.parse import unquote, urlparse

from .. import variables
from ..errors import MlfError, UsageError
from . import pipeline, project, tracking

# mlflow/projects/docker.py, _MLFLOW_DOCKER_TRACKING_DIR_PATH: where MLflow mounts a local store in the container.
MLFLOW_DOCKER_STORE = Path("/mlflow/tmp/mlruns")
# mlflow/utils/mlflow_tags.py: MLFLOW_PROJECT_ENTRY_POINT and MLFLOW_SOURCE_TYPE, set by `mlflow run` on its runs.
ENTRY_POINT_TAG = "mlflow.project.entryPoint"
SOURCE_TYPE_TAG = "mlflow.source.type"
# mlflow/projects/docker.py, build_docker_image: the image `mlflow run` started, tagged on the run before it starts.
IMAGE_TAG = "mlflow.docker.image.uri"
# What mlf adds to the run: how it was started and the command MLflow passed in.
RUNNER_TAG = "mlf.runner"
RUNNER = "mlflow run"
COMMAND_TAG = "mlf.mlflow_command"
REFUSED_TAG = "mlf.refused"
HINT_MOUNT = ("mount the project at /workspace (MLproject: docker_env: volumes: ['\"$PWD\":/workspace']), or "
              "rebuild the image")


def use_project_store(environ: MutableMapping[str, str], cwd: Path) -> None:
    """Point MLFLOW_TRACKING_URI back at the project's own store when MLflow mounted that very file (module
    docstring). Any other store is left as MLflow named it."""
    uri = environ.get(variables.MLFLOW_TRACKING_URI, "")
    database = cwd / tracking.STORE_FILE
    if tracking.resolve(cwd, environ).local_path != MLFLOW_DOCKER_STORE or not uri.startswith("sqlite:"):
        return
    try:
        same = database.is_file() and os.path.samefile(database, MLFLOW_DOCKER_STORE)
    except OSError:
        same = False
    if same:
        del environ[variables.MLFLOW_TRACKING_URI]


def _unquoted(logged: str) -> str:
    """A value as given to `mlflow run -P`: MLflow logged it shell-quoted (shlex.quote on POSIX)."""
    try:
        words = shlex.split(logged)
    except ValueError:
        return logged
    return words[0] if len(words) == 1 else logged


def _run(store: tracking.Store, run_id: str):
    from mlflow.exceptions import MlflowException

    try:
        return tracking.client(store).get_run(run_id)
    except MlflowException as err:
        raise UsageError(f"run {run_id} ({variables.MLFLOW_RUN_ID}) is not in the MLflow tracking store "
                         f"{store.uri}: {err.message.splitlines()[0]}",
                         hint=f"unset {variables.MLFLOW_RUN_ID} to run the command under the contract alone") from None


def _check_command(point: project.EntryPoint, values: Mapping[str, str], command: list[str]) -> None:
    """The command MLflow started must be this entry point's, rendered as MLflow renders it. Not comparable: `path`
    values (MLflow makes them absolute on the host) and commands with shell syntax (the host's bash took part)."""
    from mlflow.projects._project_spec import EntryPoint as MlflowEntryPoint

    if any(p.type == "path" for p in point.parameters.values()):
        return
    try:
        rendered = point.command.format(**MlflowEntryPoint._sanitize_value_dict(values))
    except (KeyError, IndexError):  # MLflow could not have rendered it either: not the MLproject it read
        rendered = None
    if rendered is not None and project.needs_shell(rendered):
        return
    if rendered is None or shlex.split(rendered) != command:
        raise UsageError(f"`mlflow run` started {shlex.join(command)!r}, but entry point {point.name!r} of "
                         f"{project.MLPROJECT} here renders {rendered or 'no command without placeholders mlf fills'!r}"
                         ": this is not the project `mlflow run` read", hint=HINT_MOUNT)


def _artifact_folder(run, cwd: Path) -> Path | None:
    """The run's artifact folder when it is local (an absolute path, a file: URI, or relative to the project)."""
    parsed = urlparse(run.info.artifact_uri)
    if parsed.scheme not in ("", "file"):
        return None
    path = Path(unquote(parsed.path))
    return path if path.is_absolute() else cwd / path


def _mlflow_folders(run, cwd: Path) -> list[Path]:
    """The folders the Docker engine may have made for this run's artifact mount: the mount itself and, inside the
    project, mlruns/<experiment>/<run id>/artifacts with its parents."""
    folders = [folder] if (folder := _artifact_folder(run, cwd)) is not None and folder.is_dir() else []
    for run_folder in cwd.glob(f"{tracking.ARTIFACT_DIR}/*/{run.info.run_id}"):
        folders += [cwd / tracking.ARTIFACT_DIR, run_folder.parent, run_folder, run_folder / "artifacts"]
    return [folder for folder in folders if folder.is_dir()]


def as_project_owner(run, cwd: Path) -> None:
    """Started as root in a project another user owns: MLflow's folders of this run go to the owner, and this
    process (and the training it starts) becomes the owner (module docstring). Otherwise nothing changes."""
    if os.geteuid() != 0:
        return
    owner = cwd.stat()
    if owner.st_uid == 0:
        return
    for folder in _mlflow_folders(run, cwd):
        if folder.lstat().st_uid == 0:  # a link is not followed: only the folders themselves change hands
            os.chown(folder, owner.st_uid, owner.st_gid, follow_symlinks=False)
    os.setgroups([])
    os.setgid(owner.st_gid)
    os.setuid(owner.st_uid)


def check_artifacts(run, cwd: Path) -> None:
    """The run's local artifact folder must take files before any training (module docstring)."""
    folder = _artifact_folder(run, cwd)
    if folder is None or not folder.is_dir():
        return
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".mlf-write-test-")
        os.close(handle)
        os.unlink(name)
    except OSError as err:
        raise UsageError(f"uid {os.getuid()} cannot write the run's artifact folder {folder} ({err.strerror}): "
                         "the Docker engine created it as root for `mlflow run` "
                         "(github.com/mlflow/mlflow/issues/2883)",
                         hint="start the container as root, and mlf trains as the project's owner: "
                              "mlflow run . -A user=0") from None


def request(command: list[str], cwd: Path, run) -> pipeline.Request:
    """The `mlf train` request for the run `mlflow run` opened (MLFLOW_RUN_ID); UsageError when it is none."""
    run_id = run.info.run_id
    tags = run.data.tags
    name = tags.get(ENTRY_POINT_TAG)
    if not name or tags.get(SOURCE_TYPE_TAG) != "PROJECT":
        raise UsageError(f"run {run_id} ({variables.MLFLOW_RUN_ID}) was not opened by `mlflow run`: it names no "
                         "entry point", hint=f"unset {variables.MLFLOW_RUN_ID} to run the command under the contract "
                                             "alone, or start it with `mlflow run`")
    point = project.load(cwd, name).entry_point
    given = {key: _unquoted(value) for key, value in run.data.params.items()
             if not key.startswith(tracking.PARAM_PREFIX)}
    values = point.values(given)  # an undeclared -P or a value of the wrong type: exit 2, as in mlf train
    _check_command(point, values, command)
    return pipeline.Request(cwd, values, name, run_id=run_id,
                            tags={RUNNER_TAG: RUNNER, COMMAND_TAG: shlex.join(command)[:5000]})


def refuse(run_id: str, environ: Mapping[str, str], cwd: Path, failure: MlfError) -> None:
    """Mark the run FAILED with the reason, before any training: best effort (the store may be what failed; the
    `mlflow run` waiting for the container marks it FAILED too)."""
    import logging

    from mlflow.exceptions import MlflowException

    client = tracking.client(tracking.resolve(cwd, environ))
    logger = logging.getLogger("mlflow")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # MLflow logs a failed write at ERROR, then raises it
    try:
        if client.get_run(run_id).info.status == "RUNNING":
            client.set_tag(run_id, REFUSED_TAG, failure.message[:5000])
            client.set_terminated(run_id, "FAILED")
    except (MlflowException, OSError):
        pass
    finally:
        logger.setLevel(level)


def train(command: list[str], cwd: Path | None = None) -> pipeline.Result:
    """Train the run `mlflow run` opened. The process's environment is the container's: its store variable is
    corrected in place (use_project_store), so the training child inherits the same store."""
    cwd = cwd or Path.cwd()
    use_project_store(os.environ, cwd)
    run_id = os.environ[variables.MLFLOW_RUN_ID]
    run = _run(tracking.resolve(cwd), run_id)
    as_project_owner(run, cwd)
    if run.data.tags.get(IMAGE_TAG):  # what a container cannot know itself: the host passes it in (sysinfo/image.py)
        os.environ.setdefault(variables.MLF_IMAGE_REF, run.data.tags[IMAGE_TAG])
    try:
        check_artifacts(run, cwd)
        prepared = pipeline.prepare(request(command, cwd, run))
    except MlfError as failure:
        refuse(run_id, os.environ, cwd, failure)
        raise
    with tracking.in_project(prepared.project.root):
        return pipeline.execute(prepared)
