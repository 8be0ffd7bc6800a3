"""The start-up line that says when GPUs go unused: a CUDA image that finds no GPU, or GPUs visible to a CPU build
of the framework. Without it, `docker run --gpus all` of a CPU image trains on the CPU without a word.

Read from the sysinfo record: the GPUs NVML reports under CUDA_VISIBLE_DEVICES (sysinfo/gpu.py), the image
variant (sysinfo/image.py) and the installed distributions. No framework is imported: asking torch or TensorFlow
costs seconds and, for CUDA, a context on the device.
"""

from __future__ import annotations

from .. import frameworks
from ..sysinfo.key import lookup, visible_gpus


def cpu_builds(installed: dict[str, str]) -> list[str]:
    """The CPU-only framework builds among `installed` (name → version), as `name==version`: each framework says
    how to tell its own (Framework.cpu_only), registry order."""
    return [build for framework in frameworks.registered() for build in framework.cpu_only(installed)]


def notice(record: dict) -> str | None:
    """One line for the user, or None when the GPUs (or their absence) match the build."""
    gpus = visible_gpus(record)
    image = lookup(record, "system", "container", "image") or {}
    if image.get("variant") == "cuda" and not gpus:
        reason = lookup(record, "gpu", "reason") or "none is visible under CUDA_VISIBLE_DEVICES"
        return (f"this is a CUDA image, but it sees no GPU ({reason}): training runs on the CPU. Start it with "
                "`docker run --gpus all ...` to train on the GPUs")
    builds = cpu_builds(record.get("packages") or {})
    if gpus and builds:
        return (f"{len(gpus)} GPU(s) are visible, but {', '.join(builds)} is a CPU-only build: training runs on the "
                "CPU. Use the image's cuda variant (or a CUDA build of the framework) to train on the GPUs")
    return None
