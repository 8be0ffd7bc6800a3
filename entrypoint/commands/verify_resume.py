"""`mlf verify --resume-at K`: one uninterrupted run, then one stopped after step K and resumed (the same MLflow run,
through the step hook's stop step and the checkpoint), and their fingerprints compared bit for bit."""

from __future__ import annotations

from .. import console, variables
from ..errors import CheckFailed
from ..steps import EXIT_PREEMPTED, stop_at


def own_job(group: str) -> dict[str, str]:
    """verify's runs as one job of their own (MLF_JOB_ID): they never resume a KILLED run another command left in
    the project, and only its own stopped run is resumed by `--resume-at`."""
    return {variables.MLF_JOB_ID: f"mlf-verify-{group}"}


def interrupted_run(train, make_request, step: int):
    """Train stopped after `step`, then again (which resumes the same run); the resumed run's result.
    `make_request(environment)` gives the request with those variables for the training."""
    stopped = train(make_request(stop_at(step)))
    if stopped.exit_code != EXIT_PREEMPTED:
        if stopped.exit_code == 0:
            raise CheckFailed(f"the training finished without stopping at step {step}: it does not use the step hook "
                              "(mlfcore.entrypoint.steps), or has fewer steps",
                              hint="call Steps.done() after each step, or pass a smaller --resume-at")
        raise CheckFailed(f"the training stopped at step {step} exited with {stopped.exit_code}, not "
                          f"{EXIT_PREEMPTED}: nothing to resume")
    console.info(f"[bold]verify: stopped after step {step}; resuming run {stopped.run_id}[/]")
    resumed = train(make_request({}))
    if resumed.run_id != stopped.run_id:
        raise CheckFailed(f"training again started run {resumed.run_id} instead of resuming {stopped.run_id}",
                          hint="the training must checkpoint into $MLF_CHECKPOINT_DIR through the step hook")
    return resumed
