"""Start-up of `mlf run`, the pre-run lint plus sysinfo on a 5,000-line project, and `mlf sysinfo`, each against its
floor, in fresh processes alternated in one run."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import timing

PY = sys.executable


def mlf_script(python: str = PY) -> str:
    return shutil.which("mlf", path=os.path.dirname(python)) or "mlf"


def environment() -> dict[str, str]:
    # A thread variable from the caller's shell would be a contract conflict (exit 3), not a benchmark.
    return {k: v for k, v in os.environ.items() if not k.endswith("_THREADS") and k != "PYTHONHASHSEED"}


def _row(label: str, wall: float, cpu: float, floor: tuple[float, float] | None = None) -> str:
    extra = (f" | {(wall - floor[0]) * 1000:+.0f} ms ({wall / floor[0]:.2f}x) | {(cpu - floor[1]) * 1000:+.0f} ms"
             if floor else " | floor | floor")
    return f"| {label} | {wall * 1000:.0f} | {cpu * 1000:.0f}{extra} |"


HEADER = ["| command | wall ms (median) | CPU ms (median) | added wall | added CPU |",
          "| --- | ---: | ---: | ---: | ---: |"]


def run_overhead(runs: int, python: str = PY) -> list[str]:
    mlf, PY = mlf_script(python), python  # noqa: N806 (the rows read as the commands a user types)
    commands = {
        "`python -c pass`": [PY, "-c", "pass"],
        "`mlf run -- python -c pass`": [mlf, "run", "--", PY, "-c", "pass"],
        "`mlf run --no-lint -- python -c pass`": [mlf, "run", "--no-lint", "--", PY, "-c", "pass"],
        "the same through the Typer app (`python -m mlfcore.entrypoint.cli run -- python -c pass`, the path "
        "before the fast path)": [PY, "-m", "mlfcore.entrypoint.cli", "run", "--", PY, "-c", "pass"],
        '`python -c "import torch"`': [PY, "-c", "import torch"],
        '`mlf run -- python -c "import torch"`': [mlf, "run", "--", PY, "-c", "import torch"],
    }
    with tempfile.TemporaryDirectory() as empty:
        result = timing.alternate(commands, runs, cwd=empty, env=environment())
    names = list(commands)
    floors = {names[1]: result[names[0]], names[2]: result[names[0]], names[3]: result[names[0]],
              names[5]: result[names[4]]}
    return HEADER + [_row(name, *result[name], floors.get(name)) for name in names]


def lint_startup(runs: int, python: str = PY) -> list[str]:
    """`mlf lint one.py` on a one-line file (pre-commit, editors: start-up is most of it), against `python -c pass`,
    and through the Typer app with every command registered (the path before the lint fast path)."""
    mlf, PY = mlf_script(python), python  # noqa: N806 (the rows read as the commands a user types)
    commands = {
        "`python -c pass`": [PY, "-c", "pass"],
        "`mlf lint one.py`": [mlf, "lint", "one.py"],
        "`python -m mlfcore.entrypoint.cli lint one.py` (the Typer app, every command registered)":
            [PY, "-m", "mlfcore.entrypoint.cli", "lint", "one.py"],
    }
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "one.py").write_text("x = 1\n")
        result = timing.alternate(commands, runs, cwd=folder, env=environment())
    names = list(commands)
    return HEADER + [_row(name, *result[name], result[names[0]] if name != names[0] else None) for name in names]


def _project(folder: Path, lines: int = 5000) -> Path:
    """A project of `lines` lines of PyTorch training code in 50 files, some with calls the linter reports."""
    body = [
        "import torch",
        "from torch import nn",
        "",
        "",
        "def step_{n}(model, batch, target, optimiser):",
        "    optimiser.zero_grad()",
        "    loss = nn.functional.cross_entropy(model(batch), target)",
        "    loss.backward()",
        "    optimiser.step()",
        "    index = torch.argsort(target, stable=True)",
        "    counts = torch.bincount(target[index])",
        "    return loss.item(), counts.sum().item()",
        "",
        "",
    ]
    per_file = lines // 50
    for number in range(50):
        text: list[str] = []
        n = 0
        while len(text) + len(body) <= per_file:
            text += [line.format(n=n) for line in body]
            n += 1
        text += ["# filler"] * (per_file - len(text))
        (folder / f"module_{number:02d}.py").write_text("\n".join(text) + "\n")
    return folder


# What the pre-run gate does when the command's entry cannot be followed (the whole project is linted), then the
# `sysinfo --fast` record; argv[2] says whether the gate's cache of unchanged files' findings is used.
PRE_RUN = ("import sys; from pathlib import Path; from mlfcore.entrypoint import contract, sysinfo; "
           "from mlfcore.entrypoint.lint import lint_paths; root = Path(sys.argv[1]); "
           "lint_paths([root], base=root, cache=sys.argv[2] == 'cache'); "
           "sysinfo.collect(contract.Settings(), fast=True, project_dir=root)")


def pre_run(runs: int, python: str = PY) -> list[str]:
    PY = python  # noqa: N806
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as cache:
        root = _project(Path(folder))
        lines = sum(len(p.read_text().splitlines()) for p in root.glob("*.py"))
        what = f"pre-run lint + `sysinfo --fast` record of a {lines:,}-line project, fresh process"
        commands = {"`python -c pass`": [PY, "-c", "pass"],
                    f"{what}: every file parsed": [PY, "-c", PRE_RUN, folder, "none"],
                    f"{what}: files unchanged since the last run (the gate's cache)": [PY, "-c", PRE_RUN, folder,
                                                                                      "cache"]}
        import time

        time.sleep(1.1)  # the files just written are racy for a second (lint/cache.py): not cached before that
        result = timing.alternate(commands, runs, env={**environment(), "XDG_CACHE_HOME": cache})
        from mlfcore.entrypoint import contract, sysinfo
        from mlfcore.entrypoint.lint import lint_project

        lint_project(root)  # imports and table loading out of the way: what a warm process pays
        warm = timing.call(lambda: (lint_project(root), sysinfo.collect(contract.Settings(), fast=True,
                                                                          project_dir=root)), runs)
    names = list(commands)
    return HEADER + [_row(names[0], *result[names[0]])] + [_row(n, *result[n], result[names[0]]) for n in names[1:]] + [
        f"| every file parsed, in a process that has imported mlf already | {warm * 1000:.0f} | | | |"]


def sysinfo_speed(runs: int, python: str = PY) -> list[str]:
    mlf, PY = mlf_script(python), python  # noqa: N806
    commands = {"`python -c pass`": [PY, "-c", "pass"],
                "`mlf sysinfo --fast --format json`": [mlf, "sysinfo", "--fast", "--format", "json"],
                "`mlf sysinfo --format json` (full: frameworks' runtime facts)": [mlf, "sysinfo", "--format", "json"],
                "`mlf sysinfo` (full, rendered table)": [mlf, "sysinfo"]}
    with tempfile.TemporaryDirectory() as empty:
        result = timing.alternate(commands, runs, cwd=empty, env=environment())
    names = list(commands)
    return HEADER + [_row(names[0], *result[names[0]])] + [_row(n, *result[n], result[names[0]]) for n in names[1:]]
