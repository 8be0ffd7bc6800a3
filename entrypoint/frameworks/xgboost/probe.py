"""What XGBoost reports about its build, for sysinfo's record (sysinfo/probe.py runs it in a child Python)."""

from __future__ import annotations

import ctypes
import json

from ...installed import load_file, package_file


def _xgboost_library():
    """libxgboost, loaded the way xgboost.core loads it, without importing xgboost (which imports scikit-learn
    when installed: 1.4 s of xgboost's 2 s import here)."""
    path = package_file("xgboost", "libpath.py")
    if path is None:
        return None
    found = load_file("_mlf_xgboost_libpath", path).find_lib_path()
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


# component → what it reports (JSON-able); the module whose presence in sys.modules lets it be asked in-process;
# what a difference in it means (`mlf sysinfo --diff`, sysinfo/compare.py)
PROBES = {"xgboost": _xgboost}
MODULES = {"xgboost": "xgboost"}
WHY = {"xgboost": "what XGBoost reported at run time (its CUDA and NCCL build)"}
