"""`mlf train` across interruptions: where a run's checkpoints live, how a restarted job finds its run again, and
what the record says about the launch and the step reached.

A run's checkpoints live in `<project>/.mlf/checkpoints/<run id>/` (checkpoint.py's layout). A restarted `mlf
train` — a requeued Slurm job, a rescheduled Kubernetes pod, a person typing the command again — looks there first:
the newest run of the same experiment that was KILLED, asked for exactly the same parameters (entry point, -P values,
seed, threads, portability) and has a valid checkpoint that names this run and this job (MLF_JOB_ID, which a
requeued Slurm job keeps) is resumed, in the same MLflow run. A finished run's checkpoints are removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .. import checkpoint, variables
from ..frameworks import launcher
from ..steps import EXIT_PREEMPTED as EXIT_STOPPED  # a stopped training under torchrun is reported as this too
from ..sysinfo import key

CHECKPOINTS = Path(".mlf") / "checkpoints"


def folder(project_root: Path, run_id: str) -> Path:
    return Path(project_root) / CHECKPOINTS / run_id


def has_valid_checkpoint(project_root: Path, run_id: str) -> bool:
    """Whether the run left a checkpoint it can resume from (a run whose owner died stays KILLED when it did)."""
    return checkpoint.is_valid(folder(project_root, run_id))


def annotate(record: dict, launch) -> dict:
    """Add the launch to a sysinfo record and recompute its environment key (the world size is part of it)."""
    record["distributed"] = (launch or launcher()()).record()
    record["environment_key"] = key.environment_key(record)
    return record


def _candidates(project_root: Path) -> list[str]:
    root = Path(project_root) / CHECKPOINTS
    return [entry.name for entry in root.iterdir() if entry.is_dir()] if root.is_dir() else []


def names(project_root: Path, run_id: str, job_id: str) -> bool:
    """Whether the run's checkpoint is valid and names this run and this job (the scheduler's MLF_JOB_ID, or none
    on both sides): a requeued job finds its own run through its checkpoint, never another job's."""
    if not has_valid_checkpoint(project_root, run_id):
        return False
    manifest = checkpoint.read_manifest(folder(project_root, run_id))
    return manifest.get("run_id") == run_id and manifest.get("job_id", "") == job_id


def find(client, project_root: Path, experiment_id: str, params: dict[str, str], entry_point: str,
         environ=None):
    """The newest KILLED run of `experiment_id` with these exact params whose valid checkpoint names it and this
    job (MLF_JOB_ID), or None."""
    from mlflow.exceptions import MlflowException

    job_id = (os.environ if environ is None else environ).get(variables.MLF_JOB_ID, "")
    found = []
    for run_id in _candidates(project_root):
        try:
            run = client.get_run(run_id)
        except MlflowException:
            continue  # a folder of a run in another store
        if (run.info.experiment_id == experiment_id and run.info.status == "KILLED"
                and run.data.params == params and run.data.tags.get("mlf.entry_point") == entry_point
                and names(project_root, run_id, job_id)):
            found.append(run)
    return max(found, key=lambda run: run.info.start_time, default=None)


def reopen(client, run, project_root: Path, environment_key: str, allow_nondeterministic: bool) -> dict:
    """Check the checkpoint's environment key against this run's (EnvironmentChanged, exit 3, unless allowed) and
    mark the run RUNNING again. Returns the checkpoint's manifest."""
    manifest = checkpoint.read_manifest(folder(project_root, run.info.run_id))
    environ = {variables.MLF_ENVIRONMENT_KEY: environment_key,
               variables.MLF_NONDETERMINISTIC: "1" if allow_nondeterministic else "0"}
    checkpoint.check_environment(manifest, environ)
    client.update_run(run.info.run_id, status="RUNNING")
    client.set_tag(run.info.run_id, "mlf.resumed_from_step", str(manifest["step"]))
    return manifest


def child_environment(project_root: Path, run_id: str, environment_key: str) -> dict[str, str]:
    return {variables.MLF_CHECKPOINT_DIR: str(folder(project_root, run_id)),
            variables.MLF_ENVIRONMENT_KEY: environment_key}


def progress(client, run_id: str, project_root: Path, launch, resumed: dict | None) -> dict:
    """Log what the run reached: `mlf/distributed.json` (docs/distributed.md) and the tag mlf.step_reached."""
    manifest = checkpoint.read_manifest(folder(project_root, run_id)) if has_valid_checkpoint(
        project_root, run_id) else None
    launched = (launch or launcher()()).record()
    summary = {**launched, "partitioning": manifest.get("partitioning") if manifest else None,
               "step_reached": manifest["step"] if manifest else None,
               # a checkpoint this attempt wrote (not the one it resumed from) says why the training stopped
               "stopped": ((manifest.get("extra") or {}).get("stopped")
                           if manifest and (resumed is None or manifest["step"] != resumed["step"]) else None),
               "resumed_from_step": resumed["step"] if resumed else None,
               "checkpoint": str(folder(project_root, run_id)) if manifest else None}
    client.log_dict(run_id, summary, "mlf/distributed.json")
    client.set_tag(run_id, "mlf.world_size", str(launched["world_size"]))
    if summary["step_reached"] is not None:
        client.set_tag(run_id, "mlf.step_reached", str(summary["step_reached"]))
    return summary


def finished(project_root: Path, run_id: str) -> None:
    """A finished run is never resumed: its checkpoints go."""
    shutil.rmtree(folder(project_root, run_id), ignore_errors=True)
