"""Delivering a run recorded in the project to the tracking server: idempotent, resumable, final state last.

The run has the same id in both stores (tracking.adopt_run_id), so a delivery compares and sends what the server
lacks: params, the full metric history (each point once, by step, timestamp and value), datasets, the run's
artifact files (by path and size), its logged models (MLflow 3 keeps them beside the run: created on the server
under the same name, their files sent, marked READY), tags, and last the run's state with its end time. A delivery
that is cut off (the server went away, mlf was killed) leaves the server's run unfinished, never FINISHED; the next
one sends the rest. Every server call goes through remote.Patience: bounded waits, typed refusals.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse

from . import remote

# Tags the server sets for itself: the user who created the run there (basic auth), and the run's name.
_SERVER_TAGS = ("mlflow.user", "mlflow.runName")
RECORDED_MODEL_TAG = "mlf.recorded_model_id"  # a delivered logged model names the model id it has in the project
# MLflow's batch limits (mlflow/utils/validation.py: MAX_PARAMS_TAGS_PER_BATCH, MAX_METRICS_PER_BATCH).
_PARAMS_PER_BATCH, _METRICS_PER_BATCH = 100, 1000
TERMINAL = ("FINISHED", "FAILED", "KILLED")


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def local_folder(artifact_uri: str, project_root: Path) -> Path:
    """A local artifact URI as a folder: relative ones (what mlf writes) are relative to the project."""
    parsed = urlparse(artifact_uri)
    path = Path(unquote(parsed.path if parsed.scheme == "file" else artifact_uri))
    return path if path.is_absolute() else Path(project_root) / path


class Delivery:
    """One run, from the project's store (`local`, an MlflowClient) to the server (`server`, an MlflowClient)."""

    def __init__(self, local, server, patience: remote.Patience, project_root: Path, run_id: str) -> None:
        self.local, self.server, self.patience = local, server, patience
        self.root, self.run_id = Path(project_root), run_id

    def _call(self, method, *args, doing: str = "write the run", **kwargs):
        return self.patience.call(getattr(self.server, method), *args, doing=doing, **kwargs)

    def run(self, final: bool = True) -> str:
        """Send everything the server lacks; with `final`, end with the run's state. Returns that state (or
        RUNNING when the run is not over). Raises remote.Unreachable or remote.ServerError."""
        from mlflow.exceptions import MlflowException

        recorded = self.local.get_run(self.run_id)
        try:
            target = self._call("get_run", self.run_id, doing="read the run")
        except MlflowException:  # classified as missing: the server does not know this run (any more)
            raise remote.ServerError(f"run {self.run_id} does not exist on the tracking server "
                                     f"{remote.display(self.server.tracking_uri)} (deleted, or its database was "
                                     "restored from an older backup); it stays recorded in the project",
                                     hint="reproduce it to record it on this server: mlf reproduce "
                                          f"{self.run_id}") from None
        self._params(recorded, target)
        self._metrics(recorded)
        self._inputs(recorded, target)
        self._artifacts(recorded, target)
        self._models(recorded, target)
        self._tags(recorded, target)
        status = recorded.info.status
        if final and status in TERMINAL:
            self._call("set_terminated", self.run_id, status, recorded.info.end_time)
        return status

    def _params(self, recorded, target) -> None:
        from mlflow.entities import Param

        missing = [Param(k, v) for k, v in sorted(recorded.data.params.items()) if k not in target.data.params]
        for chunk in _chunks(missing, _PARAMS_PER_BATCH):
            self._call("log_batch", self.run_id, params=chunk)

    def _metrics(self, recorded) -> None:
        from mlflow.entities import Metric

        missing = []
        for key in sorted(recorded.data.metrics):
            there = Counter((m.step, m.timestamp, m.value)
                            for m in self._call("get_metric_history", self.run_id, key, doing="read the run"))
            for point in self.local.get_metric_history(self.run_id, key):
                found = (point.step, point.timestamp, point.value)
                if there[found]:
                    there[found] -= 1
                    continue
                missing.append(Metric(key, point.value, point.timestamp, point.step))
        for chunk in _chunks(missing, _METRICS_PER_BATCH):
            self._call("log_batch", self.run_id, metrics=chunk)

    def _inputs(self, recorded, target) -> None:
        have = {(d.dataset.name, d.dataset.digest) for d in target.inputs.dataset_inputs} if target.inputs else set()
        new = [d for d in (recorded.inputs.dataset_inputs if recorded.inputs else [])
               if (d.dataset.name, d.dataset.digest) not in have]
        if new:
            self._call("log_inputs", self.run_id, datasets=new)

    def _listing(self, lister, path: str | None = None) -> dict[str, int]:
        """Every file under `path` on the server with its size (one request per folder)."""
        found: dict[str, int] = {}
        for info in self.patience.call(lister, path, doing="read the run's artifacts"):
            if info.is_dir:
                found.update(self._listing(lister, info.path))
            else:
                found[info.path] = info.file_size
        return found

    def _artifacts(self, recorded, target) -> None:
        """The run's files, through the server's artifact repository itself: MlflowClient caches one artifact
        repository per run id for the whole process (tracking/_tracking_service/utils.py, _artifact_repos_cache),
        and this run id names a run in two stores here."""
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        folder = local_folder(recorded.info.artifact_uri, self.root)
        if not folder.is_dir():
            return
        repository = get_artifact_repository(target.info.artifact_uri, tracking_uri=self.server.tracking_uri)
        there = self._listing(repository.list_artifacts)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if there.get(name) == path.stat().st_size:
                continue
            parent = str(Path(name).parent)
            self.patience.call(repository.log_artifact, str(path), None if parent == "." else parent,
                               doing="write the run's artifacts")

    def _models(self, recorded, target) -> None:
        """The run's logged models (MLflow 3 keeps a model's files outside the run's artifacts)."""
        from mlflow.entities import LoggedModelOutput, LoggedModelStatus

        where = f"source_run_id = '{self.run_id}'"
        models = self.local.search_logged_models(experiment_ids=[recorded.info.experiment_id], filter_string=where,
                                                 max_results=1000)
        if not models:
            return
        delivered = {m.tags.get(RECORDED_MODEL_TAG): m for m in self._call(
            "search_logged_models", experiment_ids=[target.info.experiment_id], filter_string=where,
            max_results=1000, doing="read the run's models")}
        outputs = []
        for model in sorted(models, key=lambda m: (m.creation_timestamp or 0, m.model_id)):
            made = delivered.get(model.model_id) or self._call(
                "create_logged_model", target.info.experiment_id, name=model.name, source_run_id=self.run_id,
                tags={**model.tags, RECORDED_MODEL_TAG: model.model_id}, params=model.params or None,
                model_type=model.model_type)
            if str(made.status) != str(LoggedModelStatus.READY) and str(model.status) == str(LoggedModelStatus.READY):
                self._model_files(model, made.model_id)
                self._call("finalize_logged_model", made.model_id, LoggedModelStatus.READY)
            outputs.append(LoggedModelOutput(made.model_id, 0))
        have = {o.model_id for o in target.outputs.model_outputs} if target.outputs else set()
        if any(o.model_id not in have for o in outputs):
            self._call("log_outputs", self.run_id, [o for o in outputs if o.model_id not in have])

    def _model_files(self, model, server_model_id: str) -> None:
        """Send a logged model's files, its MLmodel naming the server's model id (the id it is loaded by)."""
        folder = local_folder(model.artifact_location, self.root)
        if not folder.is_dir():
            return
        with tempfile.TemporaryDirectory(prefix="mlf-model-") as scratch:
            copy = Path(scratch) / "artifacts"
            shutil.copytree(folder, copy)
            mlmodel = copy / "MLmodel"
            if mlmodel.is_file():
                text = mlmodel.read_text(encoding="utf-8").replace(model.model_id, server_model_id)
                mlmodel.write_text(text, encoding="utf-8")
            self._call("log_model_artifacts", server_model_id, str(copy))

    def _tags(self, recorded, target) -> None:
        from mlflow.entities import RunTag

        changed = [RunTag(k, v) for k, v in sorted(recorded.data.tags.items())
                   if k not in _SERVER_TAGS and target.data.tags.get(k) != v]
        for chunk in _chunks(changed, _PARAMS_PER_BATCH):
            self._call("log_batch", self.run_id, tags=chunk)
