"""One training run, in the order the issue fixes: contract → pre-run lint → sysinfo → MLflow run → data
hashes → the training command as a child under the contract → result fingerprint → summary.

Everything that can be bad input is checked in `prepare()`, before a run exists: the project and its entry point,
the -P values, the contract, the tracking store (written to once, as a probe) and the declared data. So exit 2 and
exit 3 never leave a run behind, and a run is marked FINISHED only at the very end of `execute()`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import bootstrap, config, console, contract, variables
from ..supervise import child
from ..errors import CheckFailed, UsageError
from . import (datahash, dataroots, envcheck, expect, fingerprint, gpu_notice, logged, mlflow_compat, ownership,
               project, provenance, redact, resume, server_run, sync, tracking)


@dataclass(frozen=True)
class Request:
    """What one `mlf train` asked for. None means: [tool.mlf], then the defaults."""

    project_dir: Path = Path(".")
    params: Mapping[str, str] = field(default_factory=dict)
    entry_point: str = project.DEFAULT_ENTRY_POINT
    experiment: str | None = None
    seed: int | None = None
    threads: int | None = None
    portable: bool | None = None
    allow_nondeterministic: bool = False
    example: str | None = None  # force a bundled example (mlf reproduce of a run that ran one)
    tags: Mapping[str, str] = field(default_factory=dict)
    full_sysinfo: bool = False
    lint: bool = True
    launch: object = None  # torchrun.Launch: --nproc and the multi-node options (None: one process)
    hash_cache: bool = True  # False (--no-cache): read every data file, neither using nor updating the cache
    # Variables this training's child gets beyond the contract's and mlf's, and which job it belongs to: what
    # `mlf verify` passes explicitly (steps.stop_at, MLF_JOB_ID) instead of changing mlf's own environment.
    environment: Mapping[str, str] = field(default_factory=dict)
    run_id: str | None = None  # train in this existing run, the one `mlflow run` opened (train/mlflow_run.py)
    recorded_data: Mapping | None = None  # mlf reproduce: the recorded run's mlf/data.json, which the data must match


@dataclass
class Prepared:
    request: Request
    project: project.Project
    values: dict[str, object]
    settings: contract.Settings
    deviations: list
    store: tracking.Store
    experiment_id: str
    data: datahash.DataHashes | None
    lint: dict
    record: dict
    server_experiment_id: str | None = None  # the experiment's id on the tracking server, when one is set


@dataclass
class Result:
    run_id: str
    exit_code: int
    store: tracking.Store
    project: project.Project
    environment_key: str
    record: dict
    output_base: Path  # names in the fingerprint are relative to this folder
    fingerprint: fingerprint.Fingerprint | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    fingerprinted: str = ""  # what the fingerprint covers: declared outputs, the output folder, what was logged
    delivery: str | None = None  # with a tracking server: "delivered", or "pending" (kept in the project)
    run_url: str | None = None  # the run's page on the tracking server
    data: datahash.DataHashes | None = None  # the declared data's hashes this run read (mlf reproduce compares them)

    def summary(self) -> dict:
        return {"run_id": self.run_id, "exit_code": self.exit_code,
                "fingerprint": self.fingerprint.digest if self.fingerprint else None,
                # The same value as `--expect` and `[tool.mlf] expect` take it, its algorithm named: a digest alone
                # is refused there (a later mlf may compute another version).
                "expect": expect.written(self.fingerprint.digest, self.fingerprint.algorithm)
                if self.fingerprint else None,
                "environment_key": self.environment_key, "tracking_uri": redact.Redactor().text(self.store.shown),
                "experiment": self.project.experiment, "outputs": str(self.output_base),
                "ui": self.store.ui_command(self.project.root, self.run_url), "seconds": self.seconds,
                "fingerprinted": self.fingerprinted, "delivery": self.delivery}


def _lint(spec: project.Project, values: Mapping[str, object], settings: contract.Settings) -> dict:
    """The pre-run gate (lint/gate.py decides, as for `mlf run`): blocked runs stop with exit 1."""
    from ..lint import gate

    argv = spec.entry_point.argv(values, output_dir=spec.output_root / "RUN_ID", seed=settings.seed)
    decision = gate.decide(spec.root, spec.config, argv, allow_nondeterministic=settings.allow_nondeterministic)
    if decision.blocked:
        raise CheckFailed(f"{decision.message()}:\n{decision.report.render_text()}", hint=gate.HINT)
    return decision.record()


def _check_command(spec: project.Project, values: Mapping[str, object], settings: contract.Settings) -> None:
    """The training command must name a program before a run exists: child.run checks it too, but only after
    execute() has created the MLflow run and the output folder, which exit 2 must never leave behind."""
    argv = spec.entry_point.argv(values, output_dir=spec.output_root / "RUN_ID", seed=settings.seed, root=spec.root)
    where = f"entry point {spec.entry_point.name!r} ({spec.entry_point.source})"
    if not argv or not argv[0].strip():
        raise UsageError(f"the command of {where} is empty",
                         hint="set [tool.mlf.train] command, or the entry point's command in MLproject")
    program = argv[0]
    path = bootstrap.child_environment(settings).get("PATH")
    # A relative path with a slash (./train.sh) is resolved by the child against its cwd, the project root.
    local = spec.root / program if os.sep in program else None
    found = shutil.which(program, path=path) is not None or (
        local is not None and local.is_file() and os.access(local, os.X_OK))
    if not found:
        raise UsageError(f"command not found: {program} (the command of {where})",
                         hint="check the name in the command, install the program, or give its full path")


def _check_output_root(folder: Path) -> None:
    """The runs' output folder must take a new run folder: checked by writing one, before a run exists."""
    existing = folder if folder.exists() else folder.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(0, "not a folder", str(existing))
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".mlf-write-test-"))
    except OSError as err:
        raise UsageError(f"the output folder {folder} cannot take this run's outputs: {err.strerror or err}",
                         hint="make it a writable folder, or set [tool.mlf.train] output_dir") from None


def _check_recorded_data(recorded: Mapping, data: datahash.DataHashes | None, project_config) -> None:
    """A re-run must read the data the recorded run read: CheckFailed (exit 1) before any run exists otherwise,
    naming the files and, for data roots, where each root is here and where it was."""
    files = data.files if data is not None else {}
    if recorded.get("algorithm") != datahash.ALGORITHM or recorded.get("tree_sha256") == (data.tree if data else None):
        return
    found = dataroots.differences(recorded.get("files") or {}, files)
    was = recorded.get("roots") or {}
    here = dataroots.resolve(project_config)
    moved = [f"data root {name!r} is {here.get(name, '(not declared)')} here, {path} in the recorded run "
             f"({dataroots.variable(name)} moves it)" for name, path in sorted(was.items())]
    raise CheckFailed("the data differ from the recorded run's: " + "; ".join(found or ["the tree hash differs"])
                      + (". " + "; ".join(moved) if moved else ""),
                      hint="give the re-run the recorded data (mount it, or set MLF_DATA_ROOT_<NAME> to where it "
                           "is on this host); `mlf hash` prints the data's hashes here")


def prepare(request: Request) -> Prepared:
    # A forced example (reproduce) must not depend on which example this image or venv would pick by itself.
    environ = {**os.environ, variables.MLF_IMAGE_EXAMPLE: request.example} if request.example else None
    spec = project.load(request.project_dir, request.entry_point, request.experiment, environ)
    if request.example:
        spec = project.Project(spec.root, spec.config, project.example_entry_point(request.example),
                               request.experiment or request.example, spec.output_root, (), spec.data)
    values = spec.entry_point.values(request.params)
    spec = project.with_outputs(spec, values)
    for problem in mlflow_compat.problems(spec.entry_point):
        console.warn(problem)
    for problem in envcheck.problems(spec.environment.kind, spec.environment.file):
        console.warn(f"{spec.environment.file.name}: {problem} (the environment mlf runs in is used as it is)")
    settings = config.settings(spec.config, seed=request.seed, threads=request.threads, portable=request.portable,
                               allow_nondeterministic=request.allow_nondeterministic)
    deviations = contract.enforce(settings)
    _check_command(spec, values, settings)
    store = tracking.resolve(spec.root)
    tracking.check_folder(store)  # first: an unwritable project says so with the fix (docker run --user)
    _check_output_root(spec.output_root)
    # A tracking server answers as MLflow and accepts the user, or exit 2 before anything is written.
    server_experiment = tracking.check_remote(store, spec.experiment) if store.remote else None
    tracking.check_writable(store)  # creates the store: after every check that writes nothing
    cache = datahash.cache_folder(store) if request.hash_cache else None
    data = datahash.hash_data(spec.root, spec.data, cache_folder=cache,
                              roots=dataroots.resolve(spec.config)) if spec.data else None
    if request.recorded_data is not None:
        _check_recorded_data(request.recorded_data, data, spec.config)
    lint = _lint(spec, values, settings) if request.lint else {"skipped": "--no-lint"}
    from .. import sysinfo

    record = sysinfo.collect(settings, fast=not request.full_sysinfo, project_dir=spec.root)
    note = gpu_notice.notice(record)  # GPUs going unused: said before any training starts
    if note:
        console.warn(note)
    resume.annotate(record, request.launch)  # the world size enters the environment key
    if request.launch is not None:
        request.launch.wrap(spec.entry_point.argv(values, output_dir=spec.output_root, seed=settings.seed,
                                                  root=spec.root))
    if request.run_id:  # the run's own experiment, whatever mlf would have chosen
        experiment_id, name = tracking.run_experiment(store, request.run_id)
        spec = replace(spec, experiment=name)
    else:
        experiment_id = tracking.experiment_id(store, spec.experiment)
    ownership.reap(tracking.client(store), spec.output_root, spec.root)
    sync.catch_up(store, spec.root, spec.output_root)  # runs this project still owes the server
    return Prepared(request, spec, values, settings, deviations, store, experiment_id, data, lint, record,
                    server_experiment)


def _tags(prep: Prepared, argv: list[str]) -> dict[str, str]:
    record, spec = prep.record, prep.project
    commit = (record.get("project") or {}).get("commit")
    tags = {
        "mlf.environment_key": record["environment_key"]["key"],
        "mlf.entry_point": spec.entry_point.name,
        "mlf.source": spec.entry_point.source,
        "mlf.command": " ".join(argv),
        "mlf.nondeterministic": str(contract.record(prep.settings)["nondeterministic"]).lower(),
        "mlf.lint_errors": ("skipped" if "skipped" in prep.lint else
                            str(sum(1 for f in prep.lint.get("findings", []) if f.get("severity") == "error"))),
        "mlflow.source.name": str(spec.root),
    }
    if spec.entry_point.example:
        tags["mlf.example"] = spec.entry_point.example
    if commit:
        tags["mlflow.source.git.commit"] = tags["mlf.git_commit"] = commit
        tags["mlf.git_dirty"] = str((record.get("project") or {}).get("dirty")).lower()
    # The image (its ref, or derived from which), the package and source hashes, the GPU count.
    tags.update(provenance.tags(record))
    if prep.data is not None:
        tags["mlf.data_tree_sha256"] = prep.data.tree
        tags["mlf.data_hash_algorithm"] = datahash.ALGORITHM
    tags.update(_project_tags(prep))
    if prep.request.run_id:  # `mlflow run` set MLflow's own tags from the host (source, git commit): they stay
        tags = {name: value for name, value in tags.items() if not name.startswith("mlflow.")}
    tags.update(prep.request.tags)
    return tags


def _project_tags(prep: Prepared) -> dict[str, str]:
    environment = prep.project.environment
    tags = {"mlf.params": json.dumps({k: project._text(v) for k, v in prep.values.items()}, sort_keys=True)[:8000]}
    if environment.docker_image:
        tags["mlf.docker_env_image"] = environment.docker_image
    if environment.file is not None:
        tags["mlf.environment_file"] = environment.file.name
    return tags


def _params(prep: Prepared) -> dict[str, str]:
    params = tracking.entry_params(prep.values)
    params.update({"mlf.seed": prep.settings.seed, "mlf.threads": prep.settings.threads,
                   "mlf.portable": str(prep.settings.portable).lower(),
                   "mlf.allow_nondeterministic": str(prep.settings.allow_nondeterministic).lower()})
    return tracking.params_text(params)


def redactor(prep: Prepared) -> redact.Redactor:
    secret = [project._text(prep.values[name]) for name, parameter in prep.project.entry_point.parameters.items()
              if parameter.secret and name in prep.values]
    return redact.Redactor(secret)


def _log_start(client, run_id: str, prep: Prepared, argv: list[str]) -> None:
    from mlflow.entities import Param, RunTag

    clean = redactor(prep)
    client.log_batch(run_id, params=[Param(k, clean.text(v)) for k, v in _params(prep).items()],
                     tags=[RunTag(k, clean.text(v)) for k, v in _tags(prep, argv).items()])
    client.log_dict(run_id, clean.deep(prep.record), "mlf/sysinfo.json")
    client.log_dict(run_id, clean.deep(prep.lint), "mlf/lint.json")
    client.log_dict(run_id, clean.deep(contract.record(prep.settings)), "mlf/contract.json")
    client.log_dict(run_id, clean.deep({"entry_point": prep.project.entry_point.name,
                                        "source": prep.project.entry_point.source,
                                        "parameters": {k: project._text(v) for k, v in prep.values.items()}}),
                    tracking.PARAMS_ARTIFACT)
    if prep.data is not None:
        client.log_dict(run_id, clean.deep(prep.data.to_dict()), "mlf/data.json")


def _final_metrics(client, run_id: str) -> dict[str, float]:
    # MLflow's own system metrics (system/...) measure the machine, not the model: they never enter.
    metrics = client.get_run(run_id).data.metrics
    return {name: value for name, value in sorted(metrics.items()) if not name.startswith("system/")}


def _outputs(prep: Prepared, output_dir: Path, started: float, client=None,
             run_id: str = "") -> tuple[Path, dict[str, Path], str]:
    declared = prep.project.declared_outputs
    if declared:
        missing = fingerprint.missing_outputs(prep.project.root, declared)
        if missing:
            raise CheckFailed(f"the training did not write the declared output {missing[0]!r}",
                              hint="check the training command, or fix [tool.mlf] outputs")
        files = fingerprint.output_files(prep.project.root, declared)
        stale = [name for name, path in files.items() if path.stat().st_mtime < started - 1]
        if stale:
            console.warn(f"{len(stale)} declared output file(s) were not written by this run, e.g. {stale[0]}: they "
                         "enter the fingerprint as they are")
        return output_dir, _snapshot_declared(files, output_dir), "the declared outputs ([tool.mlf] outputs)"
    files = fingerprint.output_files(output_dir) if output_dir.is_dir() else {}
    basis = "the run's output folder"
    if not files and client is not None:
        counts = logged.materialise(client, prep.experiment_id, run_id, output_dir)
        files = fingerprint.output_files(output_dir) if counts else {}
        basis = logged.describe(counts) + ": the output folder was empty"
    if not files:
        raise CheckFailed(f"the training wrote nothing to its output folder {output_dir}",
                          hint=f"write the results to {{output_dir}} (or ${variables.MLF_OUTPUT_DIR}), or declare "
                               "them in [tool.mlf] outputs, or log a model or artifacts to the run")
    return output_dir, files, basis


def _snapshot_declared(files: dict[str, Path], output_dir: Path) -> dict[str, Path]:
    """Copy the declared outputs into the run's own folder (under the project's outputs lock, held by execute):
    the fingerprint and the logged artifacts are these copies, which no later run overwrites."""
    copies = {}
    for name, path in files.items():
        target = output_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copies[name] = target
    return copies


@contextmanager
def _stdout_to_stderr():
    """The training's stdout goes to mlf's stderr: mlf's stdout carries data alone (`--json`), as in every mlf
    command (as in hatch). The child inherits file descriptor 1, so it is pointed at 2 while the child runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _python_fallback(env: dict[str, str]) -> None:
    """MLproject commands say `python`; where none is on PATH (a venv used without activating it), the interpreter
    mlf runs in answers, also inside a /bin/sh -c command: its folder goes last on PATH."""
    if shutil.which("python", path=env.get("PATH")) is None:
        env["PATH"] = os.pathsep.join(filter(None, (env.get("PATH"), os.path.dirname(sys.executable))))


def execute(prep: Prepared) -> Result:
    """Start the MLflow run, train in a child, fingerprint, finish the run. Returns the Result (exit_code is the
    child's); raises CheckFailed when the training wrote no outputs."""
    client = tracking.client(prep.store)
    root, key = prep.project.root, prep.record["environment_key"]["key"]
    adopted = prep.request.run_id
    previous = None if adopted else resume.find(client, root, prep.experiment_id, _params(prep),
                                                prep.project.entry_point.name,
                                                {**os.environ, **prep.request.environment})
    resumed = resume.reopen(client, previous, root, key, prep.settings.allow_nondeterministic) if previous else None
    if prep.store.remote and previous:
        server_run.reopen(prep.store, previous.info.run_id, root, prep.project.experiment)
    if previous or adopted:  # a run to resume, or the one `mlflow run` opened
        run = previous or client.get_run(adopted)
    elif prep.store.remote:
        run = server_run.create(client, prep.store, prep.experiment_id, prep.server_experiment_id, root,
                                prep.project.experiment)
    else:
        run = client.create_run(prep.experiment_id)
    run_id = run.info.run_id
    output_dir = prep.project.output_root / run_id
    argv = prep.project.entry_point.argv(prep.values, output_dir=output_dir, seed=prep.settings.seed,
                                         root=prep.project.root)
    if prep.request.launch is not None:
        argv = prep.request.launch.wrap(argv)
    result = Result(run_id, 0, prep.store, prep.project, prep.record["environment_key"]["key"], prep.record,
                    output_dir, run_url=server_run.url(prep.store, run_id, prep.server_experiment_id),
                    data=prep.data)
    with ownership.claim(prep.project.output_root, run_id):
        if not prep.store.remote:
            return _owned(client, prep, run_id, output_dir, argv, result, resumed)
        try:  # the owner lock stays held while delivering: `mlf sync` leaves the run to this mlf
            _owned(client, prep, run_id, output_dir, argv, result, resumed)
        except KeyboardInterrupt:
            server_run.finish(prep.store, root, run_id, interrupted=True)
            raise
        except BaseException:
            server_run.finish(prep.store, root, run_id)
            raise
        result.delivery, _ = server_run.finish(prep.store, root, run_id)
        return result


def _owned(client, prep: Prepared, run_id: str, output_dir: Path, argv: list[str], result: Result,
           resumed) -> Result:
    from mlflow.entities import RunStatus

    status = "FAILED"
    try:
        _log_start(client, run_id, prep, argv)
        if prep.store.remote:
            server_run.early(prep.store, prep.project.root, run_id)
        env = bootstrap.child_environment(prep.settings)
        env.update(tracking.child_environment(prep.store, run_id, prep.experiment_id, prep.project.experiment))
        if prep.store.remote:  # the child logs into the project's store: the server's credentials stay with mlf
            for name in tracking.CREDENTIALS:
                env.pop(name, None)
        _python_fallback(env)
        env[variables.MLF_OUTPUT_DIR] = str(output_dir)
        env.update(resume.child_environment(prep.project.root, run_id, result.environment_key))
        env.update(prep.request.environment)
        env.setdefault(variables.MLFLOW_LOGGING_LEVEL, "WARNING")
        # MLflow asks GitPython for the source commit; without a git executable (the images) GitPython prints a
        # 20-line warning three times. mlf records the commit itself (sysinfo's project section).
        env.setdefault(variables.GIT_PYTHON_REFRESH, "quiet")
        output_dir.mkdir(parents=True, exist_ok=True)
        from rich.markup import escape

        console.info(f"[bold]training[/] {escape(redactor(prep).text(' '.join(argv)))}")
        started = time.time()
        declared = prep.project.declared_outputs
        with ownership.outputs_lock(prep.project.root, run_id) if declared else nullcontext():
            with _stdout_to_stderr():
                result.exit_code = child.run(argv, env, cwd=str(prep.project.root), own_group=True)
            result.seconds["training"] = round(time.time() - started, 2)
            reached = resume.progress(client, run_id, prep.project.root, prep.request.launch, resumed)
            if result.exit_code != 0:
                # torchrun ends with 1 when its ranks stopped on SIGTERM: the checkpoint says they were stopped
                stopped = result.exit_code >= 128 or reached["stopped"] is not None
                status = "KILLED" if stopped else "FAILED"
                if stopped and result.exit_code < 128:
                    result.exit_code = resume.EXIT_STOPPED  # what a stopped single process exits with
                return result
            result.output_base, files, result.fingerprinted = _recorded(_outputs, prep, output_dir, started, client,
                                                                        run_id)
        result.fingerprint = fingerprint.compute(files, _final_metrics(client, run_id))
        _recorded(_log_result, client, run_id, result.fingerprint, files)
        resume.finished(prep.project.root, run_id)
        status = "FINISHED"  # only now: a run is FINISHED only with its fingerprint
        return result
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        _recorded(client.set_terminated, run_id, RunStatus.to_string(getattr(RunStatus, status)))


def _log_result(client, run_id: str, result_fingerprint: fingerprint.Fingerprint, files: dict[str, Path]) -> None:
    client.log_dict(run_id, result_fingerprint.to_dict(), "mlf/fingerprint.json")
    for name, path in files.items():
        client.log_artifact(run_id, str(path), f"outputs/{Path(name).parent.as_posix()}".rstrip("/."))
    client.set_tag(run_id, ownership.FINGERPRINT_TAG, result_fingerprint.digest)


def _recorded(step, *args):
    """A disk that fills or a folder that turns unwritable after training is no bug of mlf: the run is marked
    FAILED (by the caller) and the user told what failed, exit 1."""
    from mlflow.exceptions import MlflowException

    try:
        return step(*args)
    except MlflowException as err:  # the store's own write failed (sqlite: "database or disk is full")
        raise CheckFailed(f"the run could not be recorded in the tracking store: {err.message.splitlines()[0]}",
                          hint="free space or fix the store, then train again; the next `mlf train` here marks "
                               "the run FAILED") from None
    except OSError as err:
        raise CheckFailed(f"the run's results could not be recorded: {err.strerror or err}"
                          f"{f' ({err.filename})' if err.filename else ''}; the run is marked FAILED",
                          hint="free space or fix the permissions, then train again") from None


def train(request: Request) -> Result:
    prep = prepare(request)
    with tracking.in_project(prep.project.root):
        return execute(prep)


def snapshot(result: Result, into: Path) -> Path:
    """Copy the fingerprinted files of `result` into `into` (verify compares runs after later ones overwrote
    declared outputs)."""
    if result.fingerprint is None:
        return into
    for artifact in result.fingerprint.artifacts:
        if artifact.kind == fingerprint.METRIC:
            continue
        name = artifact.name.partition(fingerprint.SEPARATOR)[0]
        # A TensorBoard artifact names a folder's event files taken together (`<folder>/events.out.tfevents`), no
        # one file: its folder's event files are kept, which fingerprint.compare reads back (formats.load_events).
        names = _event_files(result.output_base, name) if artifact.kind == fingerprint.EVENTS else [name]
        for name in names:
            target = into / name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(result.output_base / name, target)
    return into


def _event_files(base: Path, name: str) -> list[str]:
    from ..tensorboard.eventfile import in_folder

    folder = Path(name).parent
    return [(folder / path.name).as_posix() for path in in_folder(base / folder)]


def recorded_outputs(store: tracking.Store, run_id: str, digest: str) -> tuple[fingerprint.Fingerprint, Path]:
    """A recorded run's fingerprint and a local folder with its logged outputs (downloaded when remote).

    When the artifacts cannot be read here (a store written in a container names /workspace/... paths), the
    fingerprint is the recorded `digest` alone, without artifacts: equality is still decided, the detail is not."""
    from mlflow.exceptions import MlflowException

    if store.default and store.local_path is not None:  # relative artifact locations: read from the project
        with tracking.in_project(store.local_path.parent):
            return _recorded_outputs(store, run_id, digest)
    return _recorded_outputs(store, run_id, digest)


def _recorded_outputs(store: tracking.Store, run_id: str, digest: str) -> tuple[fingerprint.Fingerprint, Path]:
    from mlflow.exceptions import MlflowException

    client = tracking.client(store)
    folder = Path(tempfile.mkdtemp(prefix="mlf-recorded-"))
    try:
        manifest = Path(client.download_artifacts(run_id, "mlf/fingerprint.json", str(folder)))
        recorded = fingerprint.Fingerprint.from_dict(json.loads(manifest.read_text(encoding="utf-8")))
    except (MlflowException, OSError) as err:
        console.warn(f"the recorded artifacts of run {run_id} are unreadable here ({err}): only the fingerprints "
                     "are compared")
        return fingerprint.Fingerprint(digest, ()), folder / "outputs"
    try:
        outputs = Path(client.download_artifacts(run_id, "outputs", str(folder)))
    except (MlflowException, OSError):  # outputs were not logged: compare by digest only, without tensor detail
        outputs = folder / "outputs"
    return recorded, outputs
