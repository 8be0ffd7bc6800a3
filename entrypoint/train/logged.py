"""What a run logged to MLflow, as files to fingerprint: for projects that write nothing to their output folder.

A project in the shape of MLflow's examples (autolog, `mlflow.sklearn.log_model`) writes no files of its own: its
results are the models and artifacts it logged. MLflow 3 keeps a logged model outside the run's artifacts, under
the experiment's `models/<model id>/artifacts` (a LoggedModel whose `source_run_id` is the run;
`MlflowClient.search_logged_models`). Both are copied into the run's output folder:

- `logged-models/<model name>/...` (a second model of the same name: `<name>-2`, in creation order; the model id is
  left out, it differs on every run);
- `logged-artifacts/...`: the run's own artifacts except mlf's (`mlf/`).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

MODELS, ARTIFACTS = "logged-models", "logged-artifacts"
_OURS = ("mlf", "outputs")  # artifacts mlf logs itself


def _models(client, experiment_id: str, run_id: str) -> list:
    found = client.search_logged_models(experiment_ids=[experiment_id],
                                        filter_string=f"source_run_id = '{run_id}'", max_results=1000)
    return sorted(found, key=lambda m: (m.creation_timestamp or 0, m.name or ""))


def _download(uri: str, into: Path) -> None:
    from mlflow.artifacts import download_artifacts

    into.parent.mkdir(parents=True, exist_ok=True)
    downloaded = Path(download_artifacts(artifact_uri=uri, dst_path=str(into.parent / f".{into.name}.tmp")))
    downloaded.rename(into)
    shutil.rmtree(into.parent / f".{into.name}.tmp", ignore_errors=True)


def materialise(client, experiment_id: str, run_id: str, into: Path) -> dict[str, int]:
    """Copy the run's logged models and artifacts into `into`; returns how many of each were found."""
    counts: Counter = Counter()
    seen: Counter = Counter()
    for model in _models(client, experiment_id, run_id):
        seen[model.name] += 1
        name = model.name if seen[model.name] == 1 else f"{model.name}-{seen[model.name]}"
        _download(model.artifact_location, into / MODELS / name)
        counts["models"] += 1
    for entry in client.list_artifacts(run_id):
        if entry.path.split("/")[0] in _OURS:
            continue
        target = into / ARTIFACTS / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        client.download_artifacts(run_id, entry.path, str(target.parent))
        counts["artifacts"] += 1
    return dict(counts)


def describe(counts: dict[str, int]) -> str:
    parts = [f"{n} logged model{'s' if n != 1 else ''}" for n in [counts.get("models", 0)] if n]
    parts += [f"{n} run artifact{'s' if n != 1 else ''}" for n in [counts.get("artifacts", 0)] if n]
    return "what the run logged to MLflow (" + (", ".join(parts) or "nothing") + ")"
