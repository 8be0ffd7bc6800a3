"""`mlf bench [PROJECT_DIR] [--steps N] [--repeats R]`: what determinism costs this project's training, per step.

The training runs N steps (the step hook stops it: MLF_STOP_AT_STEP) in each mode, the modes alternating, R times:

- `deterministic`: under the contract, as `mlf train` runs it;
- one mode per switch a framework's bench part names (torch: `deterministic, no fill`, its
  `fill_uninitialized_memory` off): the same with that switch relaxed;
- `default`: the framework's defaults — no contract, no seeds, no switches — at the contract's thread count;
- `default, host threads`: the same with the thread count the libraries pick on this host.

Each run's time per step is the median of its step durations after the first (warm-up); a mode's figure is the
median over the repeats. Ratios are taken within one repeat (the runs ran back to back) and reported as their median
with the lowest and highest. The result is logged to MLflow as a run tagged mlf.bench.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from .. import bootstrap, config, console, contract, frameworks, variables
from ..errors import CheckFailed
from ..steps import EXIT_PREEMPTED, stop_at
from .options import OutputFormat, Seed, TextOrJson, Threads, wants_json
from .train import DEFAULT_ENTRY_POINT, EntryPointName, Json, Params, ProjectDir

# mode → (contract entry relaxed in it, its ratio's name): each framework's bench part (registry order)
RELAXED = {mode: relaxed for _, part in frameworks.parts("bench") for mode, relaxed in part.RELAXED.items()}
MODES = ("deterministic", *RELAXED, "default", "default, host threads")
# (numerator, denominator, what the ratio says)
RATIOS = (("deterministic", "default", "determinism"),
          *(("deterministic", mode, what) for mode, (_, what) in RELAXED.items()),
          ("default", "default, host threads", "pinned threads vs host default"))
# The contract's thread-count variables: set to the contract's count in `default`, left out in `host threads`.
_THREAD_VARIABLES = tuple(entry.name for entry in contract.table()
                          if entry.kind == contract.ENV and entry.value is contract.threads_value)


def _plain(settings: contract.Settings, pinned_threads: bool) -> dict[str, str]:
    """The environment without anything of the contract or of mlf; the thread count pinned when asked."""
    names = set(contract.NAMES) | {value for key, value in vars(variables).items() if key.startswith("MLF_")}
    env = {name: value for name, value in os.environ.items() if name not in names}
    if pinned_threads:
        env.update({name: str(settings.threads) for name in _THREAD_VARIABLES})
    return env


def _relaxed(settings: contract.Settings, name: str) -> contract.Settings:
    return contract.Settings(settings.seed, settings.threads, settings.portable, settings.allow_nondeterministic,
                             tuple(sorted({*settings.allow, name})))


def environments(settings: contract.Settings) -> dict[str, dict[str, str]]:
    return {"deterministic": bootstrap.child_environment(settings),
            **{mode: bootstrap.child_environment(_relaxed(settings, name)) for mode, (name, _) in RELAXED.items()},
            "default": _plain(settings, True), "default, host threads": _plain(settings, False)}


def time_steps(argv: list[str], env: dict[str, str], steps: int, cwd: Path, scratch: Path) -> float:
    """Run the training until it has done `steps` steps; the median seconds per step after the first."""
    times = scratch / "steps.json"
    times.unlink(missing_ok=True)
    env = {**env, **stop_at(steps), variables.MLF_STEP_TIMES: str(times)}
    env.pop(variables.MLF_CHECKPOINT_DIR, None)
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != EXIT_PREEMPTED or not times.is_file():
        raise CheckFailed(f"the training did not stop after {steps} steps through the step hook (exit "
                          f"{done.returncode}): {done.stderr.strip().splitlines()[-1:] or ''}",
                          hint="mlf bench needs a training that calls mlfcore.entrypoint.steps (the PyTorch "
                               "example does), and at least --steps steps")
    seconds = json.loads(times.read_text())["seconds"]
    return statistics.median(seconds[1:] if len(seconds) > 1 else seconds)


def summarise(per_repeat: list[dict[str, float]]) -> dict:
    modes = {mode: statistics.median(run[mode] for run in per_repeat) for mode in MODES}
    ratios = {}
    for top, bottom, what in RATIOS:
        values = [run[top] / run[bottom] for run in per_repeat]
        ratios[what] = {"median": statistics.median(values), "min": min(values), "max": max(values),
                        "of": f"{top} / {bottom}"}
    return {"seconds_per_step": modes, "ratios": ratios, "repeats": per_repeat}


def _log(project_root: Path, experiment: str, summary: dict, steps: int, repeats: int) -> str:
    from ..train import tracking

    from ..train import server_run

    store = tracking.resolve(project_root)
    # Artifact locations are relative to the project (the store travels): log from there.
    with tracking.in_project(project_root.resolve()):
        client = tracking.client(store)
        if store.remote:  # recorded in the project first, then delivered (train/server_run.py)
            server_experiment = tracking.check_remote(store, experiment)
            tracking.check_writable(store)
            run = server_run.create(client, store, tracking.experiment_id(store, experiment), server_experiment,
                                    project_root, experiment)
        else:
            run = client.create_run(tracking.experiment_id(store, experiment))
        run_id = run.info.run_id
        client.set_tag(run_id, "mlf.bench", "true")
        client.log_param(run_id, "mlf.bench.steps", steps)
        client.log_param(run_id, "mlf.bench.repeats", repeats)
        for mode, seconds in summary["seconds_per_step"].items():
            client.log_metric(run_id, f"bench.seconds_per_step.{mode.replace(', ', '.').replace(' ', '_')}", seconds)
        for what, ratio in summary["ratios"].items():
            client.log_metric(run_id, f"bench.ratio.{what.replace(' ', '_')}", ratio["median"])
        client.log_dict(run_id, summary, "mlf/bench.json")
        client.set_terminated(run_id, "FINISHED")
    if store.remote:
        server_run.finish(store, project_root.resolve(), run_id)
    return run_id


@console.data_command
def bench(
    project_dir: ProjectDir = Path("."),
    steps: Annotated[int, typer.Option("--steps", min=2, help="Steps per run (the first is warm-up).")] = 20,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Runs per mode, the modes alternating.")] = 3,
    params: Params = None,
    entry_point: EntryPointName = DEFAULT_ENTRY_POINT,
    seed: Seed = None,
    threads: Threads = None,
    output_format: OutputFormat = TextOrJson.text,
    as_json: Json = False,
) -> int:
    """Time N training steps with and without determinism, alternating, R times; report medians and ratios.

    Exit code: 0 with the figures; 1 when the training does not stop through the step hook; 2 for bad input.
    """
    from ..train import project

    spec = project.load(project_dir, entry_point)
    values = spec.entry_point.values(project.parse_assignments(params or []))
    settings = config.settings(spec.config, seed=seed, threads=threads)
    contract.enforce(settings)
    envs = environments(settings)
    per_repeat = []
    with tempfile.TemporaryDirectory(prefix="mlf-bench-") as scratch:
        argv = spec.entry_point.argv(values, output_dir=Path(scratch) / "outputs", seed=settings.seed,
                                     root=spec.root)
        for repeat in range(1, repeats + 1):
            console.info(f"[bold]bench: repeat {repeat} of {repeats}[/]")
            per_repeat.append({mode: time_steps(argv, envs[mode], steps, spec.root, Path(scratch)) for mode in MODES})
    summary = summarise(per_repeat)
    summary["run_id"] = _log(spec.root, spec.experiment, summary, steps, repeats)
    lines = [f"{mode:<24} {seconds * 1000:9.2f} ms/step" for mode, seconds in summary["seconds_per_step"].items()]
    lines += [f"{what:<32} x{r['median']:.3f} (x{r['min']:.3f}..x{r['max']:.3f}; {r['of']})"
              for what, r in summary["ratios"].items()]
    console.info("\n".join(console.escape(line) for line in lines))
    if wants_json(output_format, as_json):
        console.out(json.dumps(summary, indent=2))
    return 0


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
