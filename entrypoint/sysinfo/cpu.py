"""The CPU: vendor, model, the ISA flags that decide kernel dispatch, cores and the cgroup CPU quota.

On Linux /proc/cpuinfo is read directly: py-cpuinfo's get_cpu_info() took 1.22 s on this project's machine (it
spawns a subprocess to run CPUID code), reading /proc/cpuinfo under a millisecond (docs/sysinfo.md, "Speed").
py-cpuinfo is the fallback where /proc/cpuinfo does not exist (macOS, Windows).
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import contract
from . import cgroup

PROC_CPUINFO = Path("/proc/cpuinfo")
# The SVE vector length in bytes: torch dispatches to its sve256 kernels only when it is 32.
SVE_VECTOR_LENGTH = Path("/proc/sys/abi/sve_default_vector_length")

# Flags that decide which kernels torch, MKL, oneDNN, XGBoost and TensorFlow pick (names as /proc/cpuinfo spells
# them; Arm's come from the "Features" line).
DISPATCH_FLAGS: tuple[str, ...] = (
    "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c",
    "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
    "avx_vnni", "amx_tile", "amx_bf16", "amx_int8",
    "asimd", "asimddp", "sve", "sve2", "bf16", "i8mm",
)

# The CPU dispatch levels by arch, lowest first, with the flags each needs, named as ATen names its kernel levels
# (aten/src/ATen/native/DispatchStub.cpp); the contract's portable pin uses the same names (contract.dispatch_pin).
LEVELS: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "x86_64": (("default", frozenset()),
               ("avx2", frozenset({"avx2", "fma"})),
               ("avx512", frozenset({"avx512f", "avx512bw", "avx512vl", "avx512dq"}))),
    "aarch64": (("default", frozenset()),
                ("sve256", frozenset({"sve", "sve_vl32"}))),
}


def parse_cpuinfo(text: str) -> dict:
    """Vendor, model and flags from the first processor block of /proc/cpuinfo (x86 and Arm layouts)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    flags = (fields.get("flags") or fields.get("features") or "").split()
    model = fields.get("model name") or fields.get("cpu model") or fields.get("hardware")
    if model is None and "cpu part" in fields:  # Arm: the implementer and part numbers name the core
        model = f"implementer {fields.get('cpu implementer', '?')} part {fields['cpu part']}"
    return {"vendor": fields.get("vendor_id") or fields.get("cpu implementer"), "model": model, "flags": flags}


def _from_py_cpuinfo() -> dict:
    import cpuinfo  # slow: only where /proc/cpuinfo is missing

    info = cpuinfo.get_cpu_info()
    return {"vendor": info.get("vendor_id_raw"), "model": info.get("brand_raw"), "flags": info.get("flags", [])}


def _identity(cpuinfo_path: Path) -> dict:
    try:
        identity = parse_cpuinfo(cpuinfo_path.read_text(encoding="utf-8", errors="replace"))
        identity["source"] = str(cpuinfo_path)
        return identity
    except OSError as err:
        missing = f"{cpuinfo_path}: {err.strerror or err}"
    try:
        identity = _from_py_cpuinfo()
    except (ImportError, OSError, ValueError) as err:  # py-cpuinfo raises these when it cannot run CPUID
        return {"vendor": None, "model": None, "flags": [], "source": None,
                "reason": f"{missing}; py-cpuinfo failed: {type(err).__name__}: {err}"}
    identity["source"] = "py-cpuinfo"
    return identity


def dispatch_level(arch: str, flags: set[str]) -> str | None:
    """The highest dispatch level the flags allow on `arch`; None for an arch without levels."""
    best = None
    for name, needed in LEVELS.get(arch, ()):
        if needed <= flags:
            best = name
    return best


def effective_dispatch(arch: str, host_level: str | None, pinned: str | None) -> str | None:
    """The level kernels actually run at: the pin when the host reaches it, the host's own level otherwise."""
    names = [name for name, _ in LEVELS.get(arch, ())]
    if pinned in names and host_level in names and names.index(host_level) >= names.index(pinned):
        return pinned
    return host_level


def _sve_flags(flags: set[str], vector_length_path: Path) -> set[str]:
    if "sve" not in flags:
        return set()
    try:
        return {"sve_vl32"} if vector_length_path.read_text().strip() == "32" else set()
    except OSError:
        return set()


def _cores() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        usable = None
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except (ImportError, OSError) as err:
        physical = None
        return {"physical": None, "logical": os.cpu_count(), "usable": usable,
                "reason": f"physical core count unknown: {type(err).__name__}: {err}"}
    return {"physical": physical, "logical": os.cpu_count(), "usable": usable}


def collect(settings: contract.Settings, *, cpuinfo_path: Path | None = None, sve_path: Path | None = None,
            arch: str | None = None) -> dict:
    """The CPU section of the record (the paths default to the module's, read at call time so tests can move them)."""
    arch = arch or contract.machine_arch()
    cpuinfo_path, sve_path = cpuinfo_path or PROC_CPUINFO, sve_path or SVE_VECTOR_LENGTH
    identity = _identity(cpuinfo_path)
    flags = set(identity.pop("flags"))
    level = dispatch_level(arch, flags | _sve_flags(flags, sve_path))
    pinned = contract.dispatch_pin(settings, arch)
    return {
        "arch": arch,
        **identity,
        "isa_flags": [flag for flag in DISPATCH_FLAGS if flag in flags],
        "dispatch": {"host_level": level, "pinned": pinned, "effective": effective_dispatch(arch, level, pinned)},
        "cores": _cores(),
        "cgroup": cgroup.limits()["cpu"],
    }
