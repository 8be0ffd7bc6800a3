"""What torch would report about itself, read from its installed files instead of `import torch` (about 2 s of
CPU on this project's 2-core machine, the bulk of a full `mlf sysinfo`).

- `torch/version.py` is a generated stand-alone module (`__version__`, `cuda`, `hip`, `git_version`): executed on
  its own, without torch's `__init__`.
- cuDNN and NCCL: the headers NVIDIA's wheels install next to the libraries (`nvidia/cudnn/include/cudnn_version.h`,
  `nvidia/nccl/include/nccl.h`) carry the version macros the libraries are built with; torch's
  `backends.cudnn.version()` is the `CUDNN_VERSION` macro's value and `cuda.nccl.version()` the
  (NCCL_MAJOR, NCCL_MINOR, NCCL_PATCH) triple. Only a CUDA build of torch uses either, so a CPU build says None,
  as torch itself does.
- The CPU capability is derived the way ATen chooses its kernels (aten/src/ATen/native/DispatchStub.cpp,
  compute_cpu_capability): `ATEN_CPU_CAPABILITY` when set, else AVX512 when the CPU has avx512vl, avx512bw,
  avx512dq and fma, else AVX2 with avx2 and fma, else DEFAULT (x86-64).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ...installed import package_dirs

_DEFINE = re.compile(r"^#define\s+(\w+)\s+(\d+)\s*$", re.MULTILINE)


def _find(package: str, *parts: str) -> Path | None:
    for folder in package_dirs(package):
        if (folder.joinpath(*parts)).is_file():
            return folder.joinpath(*parts)
    return None


def _macros(path: Path | None) -> dict[str, int]:
    if path is None:
        return {}
    return {name: int(value) for name, value in _DEFINE.findall(path.read_text(encoding="utf-8", errors="replace"))}


def _version_module(path: Path) -> dict:
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # a generated constants file
    return namespace


def cudnn_version() -> int | None:
    """`torch.backends.cudnn.version()`'s value: CUDNN_VERSION as cudnn_version.h defines it."""
    found = _macros(_find("nvidia", "cudnn", "include", "cudnn_version.h"))
    if "CUDNN_MAJOR" not in found:
        return None
    major, minor, patch = found["CUDNN_MAJOR"], found.get("CUDNN_MINOR", 0), found.get("CUDNN_PATCHLEVEL", 0)
    # cudnn_version.h: cuDNN 9 defines CUDNN_VERSION as MAJOR * 10000 + MINOR * 100 + PATCHLEVEL, cuDNN 8 as
    # MAJOR * 1000 + MINOR * 100 + PATCHLEVEL.
    return major * (10000 if major >= 9 else 1000) + minor * 100 + patch


def nccl_version() -> str | None:
    found = _macros(_find("nvidia", "nccl", "include", "nccl.h"))
    if "NCCL_MAJOR" not in found:
        return None
    return f"{found['NCCL_MAJOR']}.{found.get('NCCL_MINOR', 0)}.{found.get('NCCL_PATCH', 0)}"


def cpu_capability(environ: Mapping[str, str], flags: set[str], arch: str) -> str:
    requested = environ.get("ATEN_CPU_CAPABILITY", "").strip().upper()
    if requested:
        return requested
    if arch != "x86_64":
        return "DEFAULT"
    if {"avx512vl", "avx512bw", "avx512dq", "fma"} <= flags:
        return "AVX512"
    return "AVX2" if {"avx2", "fma"} <= flags else "DEFAULT"


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def report(environ: Mapping[str, str] | None = None) -> dict:
    """The torch section of the record, as `probe.imported` reported it from an imported torch."""
    path = _find("torch", "version.py")
    if path is None:
        raise ImportError("torch is not installed (no torch/version.py)")
    version = _version_module(path)
    cuda = version.get("cuda")
    return {"version": version.get("__version__"), "cuda": cuda, "hip": version.get("hip"),
            "git_version": version.get("git_version"),
            "cudnn": cudnn_version() if cuda else None, "nccl": nccl_version() if cuda else None,
            "cpu_capability": cpu_capability(os.environ if environ is None else environ, cpu_flags(),
                                             os.uname().machine.lower()),
            "source": "installed files (torch/version.py, NVIDIA's headers); not imported"}
