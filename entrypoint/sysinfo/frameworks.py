"""Framework and CUDA library versions: from package metadata always, as the frameworks report them unless fast.

Metadata (importlib.metadata) is cheap and the same whether or not a framework loads, so the environment key is
built from it: a `--fast` record and a full one on the same machine have the same key. What the frameworks report
at run time (each framework's probe part: torch's CUDA, cuDNN, NCCL and CPU capability, TensorFlow's and XGBoost's
build info; NumPy's BLAS) needs code of theirs to run — torch's import takes seconds and any of them may crash (an illegal instruction
on an old CPU) — so it runs in a child Python process (probe.py) and comes back as JSON; a framework already
imported in this process is asked directly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from .. import frameworks as registry
from . import probe

# Component → the distributions that provide it, in the order they are looked for: each framework's components
# (registry order).
FRAMEWORKS: dict[str, tuple[str, ...]] = {component.name: component.distributions
                                          for framework in registry.registered() for component in framework.components}
# Numerical libraries under the frameworks: their versions change results too.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy",),
    "scipy": ("scipy",),
    "scikit-learn": ("scikit-learn",),
}
# NVIDIA's CUDA libraries as wheels (the cuda images take the CUDA libraries from NVIDIA's wheels), by the
# prefix of the distribution name: nvidia-cudnn-cu12, nvidia-cudnn-cu13, ...
NVIDIA_LIBRARIES: dict[str, str] = {
    "cuda_runtime": "nvidia-cuda-runtime",
    "cudnn": "nvidia-cudnn",
    "nccl": "nvidia-nccl",
    "cublas": "nvidia-cublas",
}

PROBE_TIMEOUT_S = 180  # the probe took ~3 s on this 2-core machine (torch's import); a hung import must end


def _pick(packages: dict[str, str], names: tuple[str, ...]) -> dict | None:
    for name in names:
        if name in packages:
            return {"distribution": name, "version": packages[name]}
    return None


def _nvidia(packages: dict[str, str], prefix: str) -> list[dict]:
    # "nvidia-cudnn-cu12" is cuDNN; "nvidia-cudnn-frontend" is not.
    pattern = re.compile(re.escape(prefix) + r"(-cu\d+)?")
    return [{"distribution": name, "version": version} for name, version in packages.items()
            if pattern.fullmatch(name)]


def versions(packages: dict[str, str]) -> dict:
    """Framework, library and NVIDIA library versions as installed (metadata only: nothing is imported)."""
    return {
        "frameworks": {name: _pick(packages, names) for name, names in FRAMEWORKS.items()},
        "libraries": {name: _pick(packages, names) for name, names in LIBRARIES.items()},
        "nvidia_libraries": {name: _nvidia(packages, prefix) for name, prefix in NVIDIA_LIBRARIES.items()},
    }


def _probe_in_child(names: list[str], cwd: Path, environ: Mapping[str, str] | None) -> dict:
    environ = dict(os.environ if environ is None else environ)
    environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter would fill the captured stderr
    # `-c`, not `-m`: this package imports probe.py itself, and runpy warns when it runs a module already imported.
    command = [sys.executable, "-c", f"import sys; from {probe.__name__} import main; sys.exit(main(sys.argv[1:]))",
               *names]
    try:
        done = subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {name: {"error": f"the probe timed out after {PROBE_TIMEOUT_S} s"} for name in names}
    except OSError as err:
        return {name: {"error": f"the probe could not start: {err}"} for name in names}
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tail = (done.stderr or "").strip().splitlines()[-3:]
        why = f"the probe exited with {done.returncode}" + (f": {' | '.join(tail)}" if tail else "")
        return {name: {"error": why} for name in names}
    return {name: answer.get(name, {"error": "the probe gave no answer"}) for name in names}


def runtime(installed: dict, cwd: Path, environ: Mapping[str, str] | None = None) -> dict:
    """What each installed framework reports about itself; frameworks already imported are asked in-process.

    The child runs with `environ`: the record passes a run's environment under `mlf run` (the contract's variables
    and the bootstrap), so the answers — thread count, torch's CPU capability — are those a training run gets.
    Measured with torch 2.13 on this 2-core machine: OMP_NUM_THREADS=4 alone gives get_num_threads() == 2 (torch
    caps it at the cores), the bootstrap's torch.set_num_threads(4) gives 4; asking without the bootstrap would
    report the wrong count.
    """
    names = [name for name in probe.PROBES if installed.get(name)]
    here = {name: probe.ask(name) for name in names if probe.MODULES[name] in sys.modules}
    elsewhere = [name for name in names if name not in here]
    there = _probe_in_child(elsewhere, cwd, environ) if elsewhere else {}
    return {name: here.get(name) or there.get(name) for name in names}


def collect(packages: dict[str, str], *, fast: bool, project_dir: Path,
            environ: Mapping[str, str] | None = None) -> dict:
    """The frameworks section of the record."""
    section = versions(packages)
    installed = {**section["frameworks"], **section["libraries"]}
    if fast:
        section["runtime"] = {"skipped": "--fast: frameworks were not imported (versions are from package metadata)"}
    else:
        section["runtime"] = runtime(installed, project_dir, environ)
    return section
