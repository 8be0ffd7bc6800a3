"""Delivering a run recorded in the project to the tracking server: idempotent, resumable, final state last.

The run has the same id in both stores (tracking.adopt_run_id), so a delivery compares and sends what the server
lacks: params, the full metric history (each point once, by step, timestamp and value) and tags in as few
batches as MLflow's limits allow, datasets, the run's artifact files (each once: outbox.sent remembers what
arrived), its logged models (MLflow 3 keeps them beside the run: created on the server under the same name, their
files sent, marked READY), and last the run's state with its end time. A delivery that is cut off (the server went
away, mlf was killed) leaves the server's run unfinished, never FINISHED; the next one sends the rest. Every server
call goes through remote.Patience: bounded waits, typed refusals.

Requests are few on purpose: a server with basic auth checks the password on each one (a PBKDF2 hash, tens to
hundreds of milliseconds of the server's CPU; measured: a trivial run against a loopback server took 10.6 s with
one request per list, batch and folder, against 4.7 s on a local store).
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
        self._batch(self._params(recorded, target), self._metrics(recorded, target), self._tags(recorded, target))
        if final:  # the start record (params, tags) goes early; files and models when the run is over
            self._inputs(recorded, target)
            self._artifacts(recorded, target)
            self._models(recorded, target)
        status = recorded.info.status
        if final and status in TERMINAL:
            self._call("set_terminated", self.run_id, status, recorded.info.end_time)
        return status

    def _batch(self, params: list, metrics: list, tags: list) -> None:
        """Everything in log_batch calls of at most 100 params, 100 tags and 1000 entities in all (MLflow's limits,
        mlflow/utils/validation.py): one call for a run of ordinary size."""
        while params or metrics or tags:
            some_params, params = params[:_PARAMS_PER_BATCH], params[_PARAMS_PER_BATCH:]
            some_tags, tags = tags[:_PARAMS_PER_BATCH], tags[_PARAMS_PER_BATCH:]
            room = _METRICS_PER_BATCH - len(some_params) - len(some_tags)
            some_metrics, metrics = metrics[:room], metrics[room:]
            self._call("log_batch", self.run_id, metrics=some_metrics, params=some_params, tags=some_tags)

    def _params(self, recorded, target) -> list:
        from mlflow.entities import Param

        return [Param(k, v) for k, v in sorted(recorded.data.params.items()) if k not in target.data.params]

    def _metrics(self, recorded, target) -> list:
        """Every point of every metric's history the server lacks (its history is read only for the metrics it
        has: a new run's are sent whole)."""
        from mlflow.entities import Metric

        missing = []
        for key in sorted(recorded.data.metrics):
            there = Counter((m.step, m.timestamp, m.value)
                            for m in (self._call("get_metric_history", self.run_id, key, doing="read the run")
                                      if key in target.data.metrics else ()))
            for point in self.local.get_metric_history(self.run_id, key):
                found = (point.step, point.timestamp, point.value)
                if there[found]:
                    there[found] -= 1
                    continue
                missing.append(Metric(key, point.value, point.timestamp, point.step))
        return missing

    def _inputs(self, recorded, target) -> None:
        have = {(d.dataset.name, d.dataset.digest) for d in target.inputs.dataset_inputs} if target.inputs else set()
        new = [d for d in (recorded.inputs.dataset_inputs if recorded.inputs else [])
               if (d.dataset.name, d.dataset.digest) not in have]
        if new:
            self._call("log_inputs", self.run_id, datasets=new)

    def _artifacts(self, recorded, target) -> None:
        """The run's files, each sent once (outbox.sent notes what arrived, so a delivery that was cut off
        resumes where it stopped), through the server's artifact repository itself: MlflowClient caches one
        artifact repository per run id for the whole process (tracking/_tracking_service/utils.py,
        _artifact_repos_cache), and this run id names a run in two stores here."""
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        from . import outbox

        folder = local_folder(recorded.info.artifact_uri, self.root)
        if not folder.is_dir():
            return
        repository = get_artifact_repository(target.info.artifact_uri, tracking_uri=self.server.tracking_uri)
        there = outbox.sent(self.root, self.run_id)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name, size = path.relative_to(folder).as_posix(), path.stat().st_size
            if there.get(name) == size:
                continue
            parent = str(Path(name).parent)
            self.patience.call(repository.log_artifact, str(path), None if parent == "." else parent,
                               doing="write the run's artifacts")
            outbox.note_sent(self.root, self.run_id, name, size)

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

    def _tags(self, recorded, target) -> list:
        from mlflow.entities import RunTag

        return [RunTag(k, v) for k, v in sorted(recorded.data.tags.items())
                if k not in _SERVER_TAGS and target.data.tags.get(k) != v]
