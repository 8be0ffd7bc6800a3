"""What `mlf train` adds to the bare training command: on a warm local store, on a first run (a fresh project, the
store created), and against a tracking server on loopback (PostgreSQL 15 and `mlflow server` with basic auth,
started here as the tests start them: tests/tracking_server.py, the deployment `mlf-scaffold tracking-server`
renders). Fresh processes, the variants alternated in one run; medians, and the overhead over the bare command.

The training is trivial (one file written): what is measured is mlf's own cost. Goals (docs/PERFORMANCE.md):
at most 1.0 s on a warm local store, 1.5 s against a loopback server, 2.0 s on a first run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from . import timing

TRAIN = 'import os, pathlib\npathlib.Path(os.environ.get("MLF_OUTPUT_DIR", "."), "model.txt").write_text("1")\n'
GOALS = {"warm local store": 1.0, "tracking server on loopback": 1.5, "first run (store created)": 2.0}


def _project(folder: Path, python: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "train.py").write_text(TRAIN)
    (folder / "pyproject.toml").write_text(f'[tool.mlf.train]\ncommand = "{python} train.py"\n')
    return folder


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_THREADS") and k != "PYTHONHASHSEED" and not k.startswith(("MLFLOW_", "MLF_"))}
    env.update(NO_COLOR="1", **extra)
    return env


def _lab(folder: Path):
    """The loopback server of the tests (tests/tracking_server.py; `make bench` runs from the checkout's root,
    where `tests` is a namespace package)."""
    from tests import tracking_server

    return tracking_server, tracking_server.start_lab(folder)


def report(runs: int, python: str = sys.executable) -> list[str]:
    mlf = shutil.which("mlf", path=os.path.dirname(python)) or "mlf"
    with tempfile.TemporaryDirectory(prefix="mlf-bench-train-") as scratch:
        root = Path(scratch)
        local = _project(root / "local", python)
        served = _project(root / "served", python)
        helpers, lab = _lab(root / "lab")
        try:
            user = lab.users["alice"]
            server_env = _environment(MLFLOW_TRACKING_URI=lab.uri, **user.environment())
            commands = {"bare command (`python train.py`)": ([python, "train.py"], local, _environment()),
                        "warm local store": ([mlf, "train", "."], local, _environment()),
                        "tracking server on loopback": ([mlf, "train", "."], served, server_env)}
            for command, cwd, env in commands.values():  # warm-up: the stores exist, the page cache is warm
                timing.process(command, cwd=str(cwd), env=env)
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in [*commands, *GOALS]}
            for index in range(runs):
                for name, (command, cwd, env) in commands.items():
                    samples[name].append(timing.process(command, cwd=str(cwd), env=env))
                fresh = _project(root / f"fresh-{index}", python)
                samples["first run (store created)"].append(timing.process([mlf, "train", "."], cwd=str(fresh),
                                                                           env=_environment()))
        finally:
            helpers.stop_lab(lab)
    medians = {name: (statistics.median(s[0] for s in rows), statistics.median(s[1] for s in rows))
               for name, rows in samples.items() if rows}
    bare_wall, bare_cpu = medians.pop("bare command (`python train.py`)")
    lines = [f"{runs} runs of each, alternated; `mlf train` with its defaults (pre-run lint, fast sysinfo).", "",
             "| variant | wall ms (median) | CPU ms (median) | added wall | ratio | goal | met |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
             f"| bare command (`python train.py`) | {bare_wall * 1000:.0f} | {bare_cpu * 1000:.0f} | floor | | | |"]
    for name, (wall, cpu) in medians.items():
        added = wall - bare_wall
        lines.append(f"| {name} | {wall * 1000:.0f} | {cpu * 1000:.0f} | {added * 1000:+.0f} ms | "
                     f"{wall / bare_wall:.1f}x | {GOALS[name]:.1f} s | {'yes' if added <= GOALS[name] else 'no'} |")
    return lines


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    from . import installed

    print(timing.load(), file=sys.stderr)
    with installed.venv() as (python, _):  # mlf as the images install it (benchmarks/installed.py)
        print("\n".join(report(runs, python)))
    print(timing.load(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
