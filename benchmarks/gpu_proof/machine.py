"""The machine: what torch sees (probe.py), the record `mlf sysinfo` makes of it, and whether mlfcore's own
requirements are installed — on the GPU machine mlfcore is installed without them (`pip install --no-deps`).

`refusal` is the honest exit: no proof is started when torch cannot load, is a build without CUDA, or sees no GPU.
"""

from __future__ import annotations

import json
import re

from .context import ROOT, Context, mlf_command, plain_environment


def probe(python: str, fake_device: bool) -> dict:
    from .context import run

    ran = run([python, "-m", "benchmarks.gpu_proof.probe"], cwd=ROOT, env=plain_environment(fake_device),
              timeout=180)
    try:
        return json.loads(ran.stdout)
    except ValueError:
        return {"torch": None, "error": f"the probe of {python} broke (exit {ran.returncode}): {ran.tail(3)}"}


def refusal(facts: dict) -> str | None:
    """Why no GPU proof can run with this torch, in words that say which case it is; None when one can."""
    where = facts.get("executable", "this Python")
    if not facts.get("torch"):
        return (f"torch cannot be imported by {where} ({facts.get('error')}): the proof needs the machine's CUDA "
                "build of torch. In a venv, make the site-packages of the Python that has torch visible "
                "(benchmarks/gpu_proof/on_device.sh adds them through a .pth file)")
    if not facts.get("cuda_build"):
        return (f"torch {facts['torch']} is a build without CUDA (torch.version.cuda is None): it cannot use a GPU, "
                "so there is nothing to prove here. Run the proof with a CUDA build of torch")
    if not facts.get("device_count"):
        nvml = facts.get("nvml") or {}
        seen = nvml.get("reason") or f"NVML counts {nvml.get('count', 0)} GPU(s), driver {nvml.get('driver_version')}"
        said = "; ".join(facts.get("warnings") or [])
        return (f"no GPU: torch {facts['torch']} (built for CUDA {facts['cuda_build']}) sees no CUDA device "
                f"(NVML: {seen}{'; torch: ' + said if said else ''})")
    return None


def host(facts: dict) -> str:
    """One line naming the machine, for the report's provenance table."""
    devices = facts.get("devices") or []
    gpu = devices[0]["name"] if devices else "no GPU (CPU)"
    driver = (facts.get("nvml") or {}).get("driver_version")
    return f"{gpu}{f', driver {driver}' if driver else ''}, torch {facts.get('torch')}, Python {facts.get('python')}"


def run(ctx: Context) -> None:
    data = ctx.results["parts"][ctx.part]["data"]
    data["probe"] = ctx.results["probe"]
    data["sysinfo"] = sysinfo(ctx)
    data["requirements"] = requirement_problems()
    ctx.save()


def sysinfo(ctx: Context) -> dict:
    """`mlf sysinfo --format json` (the full record: frameworks' run-time facts too), the parts the report shows."""
    ran = ctx.run([*mlf_command(), "sysinfo", "--format", "json"])
    try:
        record = json.loads(ran.stdout)
    except ValueError:
        return {"command": "mlf sysinfo --format json", "failed": f"exit {ran.returncode}: {ran.tail(4)}"}
    frameworks = record.get("frameworks") or {}
    return {"command": "mlf sysinfo --format json", "gpu": record.get("gpu"),
            "torch_runtime": (frameworks.get("runtime") or {}).get("torch"),
            "nvidia_libraries": frameworks.get("nvidia_libraries"),
            "cpu": {key: (record.get("cpu") or {}).get(key) for key in ("model", "arch")},
            "kernel": (record.get("system") or {}).get("kernel"),
            "environment_key": (record.get("environment_key") or {}).get("key")}


def requirement_problems() -> list[str]:
    """Every requirement of mlfcore, and of what it requires, that is missing here or of a version outside its
    range: what `pip install --no-deps` left to the machine and the carried wheels."""
    from importlib import metadata

    try:
        from packaging.requirements import Requirement
    except ImportError:
        return ["packaging is not installed: mlfcore's requirements could not be checked"]
    problems, seen, todo = [], set(), ["mlfcore"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        for text in metadata.requires(name) or []:
            wanted = Requirement(text)
            if wanted.marker is not None and not wanted.marker.evaluate({"extra": ""}):
                continue
            try:
                found = metadata.version(wanted.name)
            except metadata.PackageNotFoundError:
                problems.append(f"{wanted.name} is not installed ({name} requires {wanted})")
                continue
            if wanted.specifier and not wanted.specifier.contains(found, prereleases=True):
                problems.append(f"{wanted.name} {found} is installed; {name} requires {wanted}")
            todo.append(wanted.name)
    return sorted(set(problems))
