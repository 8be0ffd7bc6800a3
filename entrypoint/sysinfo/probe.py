"""Ask the frameworks what they run with: `main(["torch", "tensorflow", ...])` in a child Python.

Runs as a child of `mlf sysinfo` (frameworks.py) so that a slow or crashing framework import cannot take `mlf` down;
prints one JSON line: framework → what it reports, or {"error": ...}. Nothing here creates a CUDA context: these
calls read compile-time facts or load a library to ask its version (cudnnGetVersion, ncclGetVersion); none of them
selects a device. torch, TensorFlow and XGBoost answer from their installed files and library without the Python
package's import (seconds each, measured below and in torchfiles.py); NumPy is imported.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import sys
from pathlib import Path


def _torch() -> dict:
    """What an imported torch reports (tests compare torchfiles.py's reading of the files with it)."""
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


def _package_file(package: str, *parts: str) -> Path | None:
    """A file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location, *parts)
        if candidate.is_file():
            return candidate
    return None


def _load_file(name: str, path: Path):
    """Execute one stand-alone module file of a package without running the package's __init__."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tensorflow() -> dict:
    # tf.sysconfig.get_build_info() returns this generated file's dict; reading it directly skips TensorFlow's
    # import, measured at ~6 s of the ~11 s a full `mlf sysinfo` took on this 2-core machine.
    path = _package_file("tensorflow", "python", "platform", "build_info.py")
    if path is not None:
        build, source = dict(_load_file("_mlf_tf_build_info", path).build_info), str(path)
    else:
        import tensorflow as tf

        build, source = dict(tf.sysconfig.get_build_info()), "tf.sysconfig.get_build_info()"
    return {"cuda": build.get("cuda_version"), "cudnn": build.get("cudnn_version"),
            "is_cuda_build": build.get("is_cuda_build"), "is_rocm_build": build.get("is_rocm_build"),
            "source": source}


def _xgboost_library():
    """libxgboost, loaded the way xgboost.core loads it, without importing xgboost (which imports scikit-learn
    when installed: 1.4 s of xgboost's 2 s import here)."""
    path = _package_file("xgboost", "libpath.py")
    if path is None:
        return None
    found = _load_file("_mlf_xgboost_libpath", path).find_lib_path()
    return ctypes.cdll.LoadLibrary(found[0]) if found else None


def _xgboost() -> dict:
    library = _xgboost_library()
    if library is None:
        import xgboost

        build, version = xgboost.build_info(), xgboost.__version__
    else:
        # The two calls xgboost.build_info() and xgboost's version check make (xgboost/core.py).
        text = ctypes.c_char_p()
        if library.XGBuildInfo(ctypes.byref(text)) != 0:
            raise RuntimeError("XGBuildInfo failed")
        build = json.loads(text.value.decode())
        major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        library.XGBoostVersion(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
        version = f"{major.value}.{minor.value}.{patch.value}"
    keep = ("USE_CUDA", "USE_NCCL", "CUDA_VERSION", "NCCL_VERSION", "USE_OPENMP", "USE_RMM", "USE_FEDERATED")
    return {"version": version, **{key.lower(): build[key] for key in keep if key in build}}


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


def _torch_from_files() -> dict:
    from .torchfiles import report

    return report()


PROBES = {"torch": _torch_from_files, "tensorflow": _tensorflow, "xgboost": _xgboost, "numpy": _numpy}
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
