"""`mlf verify --resume-at K`: one uninterrupted run, then one stopped after step K and resumed (the same MLflow run,
through the step hook's MLF_STOP_AT_STEP and the checkpoint), and their fingerprints compared bit for bit."""

from __future__ import annotations

import os
from contextlib import contextmanager

from .. import console, variables
from ..errors import CheckFailed
from ..steps import EXIT_PREEMPTED


@contextmanager
def _environment(name: str, value: str):
    """The training child inherits mlf's environment, and `mlf train` reads it: set `name` for the block."""
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            del os.environ[name]
        else:
            os.environ[name] = saved


def _stopping_at(step: int):
    """MLF_STOP_AT_STEP reaches the training's step hook."""
    return _environment(variables.MLF_STOP_AT_STEP, str(step))


def own_job(group: str):
    """verify's runs as one job of their own (MLF_JOB_ID): they never resume a KILLED run another command left in
    the project, and only its own stopped run is resumed by `--resume-at`."""
    return _environment(variables.MLF_JOB_ID, f"mlf-verify-{group}")


def interrupted_run(train, make_request, step: int):
    """Train stopped after `step`, then again (which resumes the same run); the resumed run's result."""
    with _stopping_at(step):
        stopped = train(make_request())
    if stopped.exit_code != EXIT_PREEMPTED:
        if stopped.exit_code == 0:
            raise CheckFailed(f"the training finished without stopping at step {step}: it does not use the step hook "
                              "(mlfcore.entrypoint.steps), or has fewer steps",
                              hint="call Steps.done() after each step, or pass a smaller --resume-at")
        raise CheckFailed(f"the training stopped at step {step} exited with {stopped.exit_code}, not "
                          f"{EXIT_PREEMPTED}: nothing to resume")
    console.info(f"[bold]verify: stopped after step {step}; resuming run {stopped.run_id}[/]")
    resumed = train(make_request())
    if resumed.run_id != stopped.run_id:
        raise CheckFailed(f"training again started run {resumed.run_id} instead of resuming {stopped.run_id}",
                          hint="the training must checkpoint into $MLF_CHECKPOINT_DIR through the step hook")
    return resumed
