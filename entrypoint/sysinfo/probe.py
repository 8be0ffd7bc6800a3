"""Ask the frameworks what they run with: `main(["torch", "tensorflow", ...])` in a child Python.

Runs as a child of `mlf sysinfo` (frameworks.py) so that a slow or crashing framework import cannot take `mlf` down;
prints one JSON line: framework → what it reports, or {"error": ...}. Nothing here creates a CUDA context: these
calls read compile-time facts or load a library to ask its version (cudnnGetVersion, ncclGetVersion); none of them
selects a device.
"""

from __future__ import annotations

import json
import sys


def _torch() -> dict:
    import torch

    report = {"version": torch.__version__, "cuda": torch.version.cuda, "hip": getattr(torch.version, "hip", None),
              "git_version": getattr(torch.version, "git_version", None)}
    cudnn = torch.backends.cudnn
    report["cudnn"] = cudnn.version() if cudnn.is_available() else None
    # Only CUDA builds have NCCL; its version call loads the library and creates no context.
    report["nccl"] = ".".join(map(str, torch.cuda.nccl.version())) if hasattr(torch._C, "_nccl_version") else None
    report["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    report["mkl"] = torch.backends.mkl.is_available()
    report["mkldnn"] = torch.backends.mkldnn.is_available()
    report["num_threads"] = torch.get_num_threads()
    return report


def _tensorflow() -> dict:
    import tensorflow as tf

    build = dict(tf.sysconfig.get_build_info())
    return {"version": tf.__version__, "cuda": build.get("cuda_version"), "cudnn": build.get("cudnn_version"),
            "is_cuda_build": build.get("is_cuda_build"), "is_rocm_build": build.get("is_rocm_build")}


def _xgboost() -> dict:
    import xgboost

    build = xgboost.build_info()
    keep = ("USE_CUDA", "USE_NCCL", "CUDA_VERSION", "NCCL_VERSION", "USE_OPENMP", "USE_RMM", "USE_FEDERATED")
    return {"version": xgboost.__version__, **{key.lower(): build[key] for key in keep if key in build}}


def _numpy() -> dict:
    import numpy

    report = {"version": numpy.__version__}
    try:
        config = numpy.show_config(mode="dicts")  # numpy >= 1.26
    except TypeError:
        return report
    blas = config.get("Build Dependencies", {}).get("blas", {})
    simd = config.get("SIMD Extensions", {})
    # NumPy picks SIMD kernels at run time from the CPU's features: part of what decides its bits.
    report.update({"blas": blas.get("name"), "blas_version": blas.get("version"),
                   "simd_baseline": simd.get("baseline"), "simd_found": simd.get("found")})
    return report


PROBES = {"torch": _torch, "tensorflow": _tensorflow, "xgboost": _xgboost, "numpy": _numpy}
MODULES = {"torch": "torch", "tensorflow": "tensorflow", "xgboost": "xgboost", "numpy": "numpy"}


def ask(name: str) -> dict:
    """What framework `name` reports, as JSON-able data; a failure of any kind becomes {"error": ...}."""
    try:
        report = PROBES[name]()
    # A framework's import can fail in any way (ImportError, OSError for a missing CUDA library, RuntimeError from
    # its own checks); each one is a fact for the record, not a reason to lose the other frameworks' answers.
    except Exception as err:  # noqa: BLE001
        return {"error": f"{type(err).__name__}: {err}"}
    return json.loads(json.dumps(report, default=str))


def main(names: list[str]) -> int:
    answers = {name: ask(name) if name in PROBES else {"error": "no probe for it"} for name in names}
    sys.stdout.write(json.dumps(answers) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
