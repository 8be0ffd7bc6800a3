"""NVIDIA GPUs through NVML (nvidia-ml-py): never a CUDA context, never a crash.

NVML is the driver's management library: it reads device facts without initialising CUDA, so recording the system
does not take GPU memory or change what a later CUDA program sees (mlf-core used pycuda, which creates a context
on import). Every NVML failure becomes a field: the section's `reason`, or a device's `errors` by field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..variables import CUDA_VISIBLE_DEVICES

# Why NVML could not start, by the error's class name, in words a user can act on.
_INIT_REASONS = {
    "NVMLError_LibraryNotFound": "no NVIDIA driver here: libnvidia-ml.so was not found (no GPU, or a container "
                                 "started without --gpus)",
    "NVMLError_DriverNotLoaded": "the NVIDIA kernel driver is not loaded",
    "NVMLError_LibRmVersionMismatch": "the NVML library and the kernel driver differ in version (a driver update "
                                      "without a reboot?)",
    "NVMLError_NoPermission": "no permission to talk to the NVIDIA driver",
}


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _unavailable(reason: str, error: str | None = None) -> dict:
    section = {"available": False, "reason": reason, "driver_version": None, "cuda_driver_version": None,
               "count": 0, "visible_count": 0, "cuda_visible_devices": None, "devices": [], "errors": {}}
    if error:
        section["error"] = error
    return section


class _Asker:
    """Calls NVML functions, keeping each failure under the field it was for."""

    def __init__(self, nvml) -> None:
        self.nvml = nvml
        self.errors: dict[str, str] = {}

    def __call__(self, field: str, function: str, *args):
        call = getattr(self.nvml, function, None)
        if call is None:
            self.errors[field] = f"{function} is missing from this nvidia-ml-py"
            return None
        try:
            return call(*args)
        except self.nvml.NVMLError as err:
            not_supported = getattr(self.nvml, "NVMLError_NotSupported", ())
            self.errors[field] = "not supported" if isinstance(err, not_supported) else \
                f"{type(err).__name__}: {err}"
            return None


def cuda_version_text(version: int | None) -> str | None:
    """NVML's integer CUDA driver version (12040) as CUDA writes it ("12.4")."""
    return None if version is None else f"{version // 1000}.{version % 1000 // 10}"


def _mode(pair, enabled: int) -> dict | None:
    if pair is None:
        return None
    current, pending = pair
    return {"current": "enabled" if current == enabled else "disabled",
            "pending": "enabled" if pending == enabled else "disabled"}


def _mig_devices(ask: _Asker, handle) -> list[dict]:
    nvml, found = ask.nvml, []
    for slot in range(ask("mig_devices", "nvmlDeviceGetMaxMigDeviceCount", handle) or 0):
        try:
            mig = nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle, slot)
        except nvml.NVMLError:  # an empty slot answers NotFound
            continue
        memory = ask("mig_memory", "nvmlDeviceGetMemoryInfo", mig)
        found.append({"name": _text(ask("mig_name", "nvmlDeviceGetName", mig) or "") or None,
                      "uuid": _text(ask("mig_uuid", "nvmlDeviceGetUUID", mig) or "") or None,
                      "memory_total_bytes": getattr(memory, "total", None)})
    return found


def _device(nvml, index: int) -> dict:
    ask = _Asker(nvml)
    handle = ask("handle", "nvmlDeviceGetHandleByIndex", index)
    if handle is None:
        return {"index": index, "errors": ask.errors}
    name, uuid = ask("name", "nvmlDeviceGetName", handle), ask("uuid", "nvmlDeviceGetUUID", handle)
    memory = ask("memory", "nvmlDeviceGetMemoryInfo", handle)
    capability = ask("compute_capability", "nvmlDeviceGetCudaComputeCapability", handle)
    mig = _mode(ask("mig", "nvmlDeviceGetMigMode", handle), getattr(nvml, "NVML_DEVICE_MIG_ENABLE", 1))
    ecc = _mode(ask("ecc", "nvmlDeviceGetEccMode", handle), getattr(nvml, "NVML_FEATURE_ENABLED", 1))
    pci = ask("pci_bus_id", "nvmlDeviceGetPciInfo", handle)
    bus_id = getattr(pci, "busId", None) if pci is not None else None
    device = {
        "index": index,
        "name": _text(name) if name is not None else None,
        "uuid": _text(uuid) if uuid is not None else None,
        "memory_total_bytes": getattr(memory, "total", None),
        "compute_capability": f"{capability[0]}.{capability[1]}" if capability else None,
        "mig": mig,
        "ecc": ecc,
        "pci_bus_id": _text(bus_id) if bus_id else None,
    }
    if mig and mig["current"] == "enabled":
        device["mig_devices"] = _mig_devices(ask, handle)
    device["errors"] = ask.errors
    return device


def visible_indices(devices: list[dict], setting: str | None) -> list[int]:
    """The devices a CUDA program sees under CUDA_VISIBLE_DEVICES (unset: all).

    CUDA takes indices or UUID prefixes (GPU-..., MIG-...) and stops at the first entry it cannot resolve.
    """
    if setting is None:
        return [device["index"] for device in devices]
    chosen: list[int] = []
    for entry in (part.strip() for part in setting.split(",")):
        match = None
        if entry.isdigit():
            match = next((d["index"] for d in devices if d["index"] == int(entry)), None)
        elif entry.startswith(("GPU-", "MIG-")):
            for device in devices:
                uuids = [device.get("uuid") or ""] + [m.get("uuid") or "" for m in device.get("mig_devices", [])]
                if any(uuid.startswith(entry) for uuid in uuids if uuid):
                    match = device["index"]
        if match is None:
            break
        if match not in chosen:
            chosen.append(match)
    return chosen


def collect(environ: Mapping[str, str] | None = None) -> dict:
    """The GPU section of the record."""
    environ = os.environ if environ is None else environ
    try:
        import pynvml
    except ImportError as err:
        return _unavailable(f"nvidia-ml-py is not installed ({err}): GPUs cannot be read")
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as err:
        reason = _INIT_REASONS.get(type(err).__name__, "NVML failed to start")
        return _unavailable(reason, f"{type(err).__name__}: {err}")
    except OSError as err:  # a broken libnvidia-ml.so that the loader rejects
        return _unavailable("NVML failed to load", f"{type(err).__name__}: {err}")
    try:
        return _read(pynvml, environ)
    finally:
        try:
            pynvml.nvmlShutdown()
        except pynvml.NVMLError:
            pass


def _read(nvml, environ: Mapping[str, str]) -> dict:
    ask = _Asker(nvml)
    driver = ask("driver_version", "nvmlSystemGetDriverVersion")
    cuda = ask("cuda_driver_version", "nvmlSystemGetCudaDriverVersion")
    count = ask("count", "nvmlDeviceGetCount")
    devices = [_device(nvml, index) for index in range(count or 0)]
    visible = visible_indices(devices, environ.get(CUDA_VISIBLE_DEVICES))
    for device in devices:
        device["visible"] = device["index"] in visible
    return {
        "available": bool(devices),
        "reason": None if devices else ("NVML reports no GPU" if count == 0 else "NVML could not count the GPUs"),
        "driver_version": _text(driver) if driver is not None else None,
        "cuda_driver_version": cuda_version_text(cuda),
        "count": len(devices),
        "visible_count": len(visible),
        "cuda_visible_devices": environ.get(CUDA_VISIBLE_DEVICES),
        "devices": devices,
        "errors": ask.errors,
    }
