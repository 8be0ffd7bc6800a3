"""What this Python's torch sees of the device, as JSON on stdout: asked in a child, so the proof itself holds no
CUDA context and a torch that cannot load is an answer, not a crash.

    python -m benchmarks.gpu_proof.probe
"""

from __future__ import annotations

import json
import platform
import sys
import warnings


def _torch() -> dict:
    try:
        import torch
    except Exception as failure:  # ImportError, or whatever a broken install raises while loading: the answer
        return {"torch": None, "error": f"{type(failure).__name__}: {failure}"}
    facts = {"torch": torch.__version__, "cuda_build": torch.version.cuda}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        facts["available"] = torch.cuda.is_available()
        facts["device_count"] = torch.cuda.device_count() if facts["available"] else 0
    facts["warnings"] = [str(w.message).strip().splitlines()[0] for w in caught]
    facts["devices"] = [_device(torch, index) for index in range(facts["device_count"])]
    facts["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    try:
        facts["nccl"] = ".".join(str(part) for part in torch.cuda.nccl.version())
    except Exception:  # no NCCL in this build (a CPU wheel): the field says so
        facts["nccl"] = None
    return facts


def _device(torch, index: int) -> dict:
    props = torch.cuda.get_device_properties(index)
    return {"name": props.name, "capability": f"{props.major}.{props.minor}", "memory_bytes": props.total_memory,
            "multiprocessors": props.multi_processor_count}


def _nvml() -> dict:
    """NVML's view (mlf sysinfo's GPU section): why there is no GPU when torch sees none."""
    try:
        from mlfcore.entrypoint.sysinfo import gpu
    except ImportError as failure:
        return {"available": False, "reason": f"mlfcore's NVML reader cannot be imported: {failure}"}
    section = gpu.collect()
    return {key: section.get(key) for key in ("available", "reason", "driver_version", "cuda_driver_version",
                                              "count")}


def main() -> int:
    facts = {"python": platform.python_version(), "executable": sys.executable, **_torch(), "nvml": _nvml()}
    print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
