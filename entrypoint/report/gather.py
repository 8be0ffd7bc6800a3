"""Read the runs a report covers from the tracking store, and the runs that prove them.

Every run id is looked up before anything is downloaded, so an unknown id is bad input (exit 2) with nothing
written. The proofs are found through the tags the commands leave: `mlf verify` tags its runs `mlf.verify=<group>`,
`mlf reproduce` tags its new run `mlf.reproduces=<recorded run>`. Their records (mlf/*.json) are copied into the
crate too, so every claim the page makes links to the record it came from.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from .. import variables
from ..errors import UsageError
from ..train import redact, tracking
from .model import RECORDS, Proof, Report, Run, moment

VERIFY_TAG = "mlf.verify"  # commands/verify.py
REPRODUCES_TAG = "mlf.reproduces"  # commands/reproduce.py
RESUMED_TAG = "mlf.resumed_from_step"  # train/resume.py
SYSTEM_METRICS = "system/"  # MLflow's own machine metrics: not the model's (train/pipeline.py leaves them out too)


def lookup(client, store, run_id: str):
    """Run `run_id` of `store`; UsageError (exit 2) naming the store when it has none (report, tensorboard)."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_run(run_id)
    except MlflowException as err:
        raise UsageError(f"no run {run_id!r} in the tracking store {redact.Redactor().text(store.uri)}: "
                         f"{err.message.splitlines()[0]}",
                         hint="give a run id from `mlf train`'s summary, and the project whose store holds it "
                              f"(--project), or set {variables.MLFLOW_TRACKING_URI}") from None


def _run(client, found, experiments: dict[str, str], asked: bool) -> Run:
    experiment_id = found.info.experiment_id
    if experiment_id not in experiments:
        experiments[experiment_id] = client.get_experiment(experiment_id).name
    return Run(found.info.run_id, experiments[experiment_id], found.info.status, moment(found.info.start_time),
               moment(found.info.end_time), dict(found.data.tags), dict(found.data.params), asked=asked)


def _download(client, run_id: str, path: str, into: Path) -> Path | None:
    """Artifact `path` of the run under `into` (MLflow keeps the path), or None when the run has none."""
    from mlflow.exceptions import MlflowException

    into.mkdir(parents=True, exist_ok=True)
    try:
        return Path(client.download_artifacts(run_id, path, str(into)))
    except (MlflowException, OSError):
        return None


def _records(client, run: Run, crate: Path) -> None:
    folder = _download(client, run.run_id, "mlf", crate / run.folder)
    for name in RECORDS:
        path = folder / f"{name}.json" if folder else None
        if path is not None and path.is_file():
            try:
                run.records[name] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue  # an unreadable record is shown as missing; the file stays in the crate as it was


def _metrics(client, run: Run) -> None:
    for name in sorted(client.get_run(run.run_id).data.metrics):
        if not name.startswith(SYSTEM_METRICS):
            history = client.get_metric_history(run.run_id, name)
            run.metrics[name] = sorted((point.step, point.value) for point in history)


def _outputs(client, run: Run, crate: Path) -> None:
    folder = _download(client, run.run_id, "outputs", crate / run.folder)
    if folder is not None and folder.is_dir():
        run.outputs = sorted(p.relative_to(crate).as_posix() for p in folder.rglob("*") if p.is_file())


def _search(client, experiment_id: str, tag: str, value: str) -> list:
    quoted = value.replace("'", "")  # run ids and verify groups are hex: nothing to escape
    return client.search_runs([experiment_id], filter_string=f"tags.`{tag}` = '{quoted}'", max_results=1000)


def _proofs(client, run: Run, found) -> list[tuple[str, object]]:
    """(kind, MLflow run) of every run that re-did `run`: its verify group's other runs, its reproductions, and
    the run it reproduced."""
    from mlflow.exceptions import MlflowException

    experiment_id, proofs = found.info.experiment_id, []
    if run.tags.get(VERIFY_TAG):
        proofs += [("verify", other) for other in _search(client, experiment_id, VERIFY_TAG, run.tags[VERIFY_TAG])
                   if other.info.run_id != run.run_id]
    proofs += [("reproduce", other) for other in _search(client, experiment_id, REPRODUCES_TAG, run.run_id)]
    if run.tags.get(REPRODUCES_TAG):
        try:
            proofs.append(("reproduce", client.get_run(run.tags[REPRODUCES_TAG])))
        except MlflowException:
            pass  # the recorded run was deleted: nothing proves it then
    return proofs


def _proof(kind: str, run: Run, other: Run) -> Proof:
    identical = other.fingerprint is not None and other.fingerprint == run.fingerprint
    resumed = RESUMED_TAG in run.tags or RESUMED_TAG in other.tags
    return Proof(kind, run.run_id, other, identical, resumed)


def gather(store: tracking.Store, run_ids: list[str], crate: Path, *, outputs: bool = True,
           version: str = "") -> Report:
    """The report's runs, read from `store`, their records copied into `crate` (and their outputs, unless not
    `outputs`). UsageError for an unknown run id, before anything is written."""
    client = tracking.client(store)
    found = [lookup(client, store, run_id) for run_id in dict.fromkeys(run_ids)]
    experiments: dict[str, str] = {}
    runs = [_run(client, item, experiments, asked=True) for item in found]
    asked = {run.run_id: run for run in runs}
    related: dict[str, Run] = {}
    proofs: dict[str, list[Proof]] = {}
    for run, item in zip(runs, found):
        proofs[run.run_id] = []
        for kind, other in _proofs(client, run, item):
            other_id = other.info.run_id
            if other_id not in asked and other_id not in related:
                related[other_id] = _run(client, other, experiments, asked=False)
            proofs[run.run_id].append(_proof(kind, run, asked.get(other_id) or related[other_id]))
    for run in [*runs, *related.values()]:
        _records(client, run, crate)
        _metrics(client, run)
        if outputs and run.asked:
            _outputs(client, run, crate)
    return Report(runs, related, proofs, datetime.now(timezone.utc), version, redact.Redactor().text(store.uri))
