"""The GPU section through a fake NVML module (the real one needs a GPU), and through the real one here."""

from __future__ import annotations

import sys
import types

import pytest

from mlfcore.entrypoint.sysinfo import gpu

H100 = {"name": "NVIDIA H100 80GB HBM3", "uuid": "GPU-1b2c3d4e-0000-1111-2222-333344445555",
        "memory": 85520809984, "cc": (9, 0), "mig": (0, 0), "ecc": (1, 1), "bus": "00000000:18:00.0"}
A100_MIG = {"name": b"NVIDIA A100-SXM4-40GB", "uuid": b"GPU-aaaa0000-0000-0000-0000-000000000000",
            "memory": 42949672960, "cc": (8, 0), "mig": (1, 1), "ecc": (1, 1), "bus": "00000000:07:00.0",
            "mig_devices": [{"name": "NVIDIA A100-SXM4-40GB MIG 1g.5gb", "uuid": "MIG-1111", "memory": 5 * 2**30},
                            None,  # an empty slot
                            {"name": "NVIDIA A100-SXM4-40GB MIG 3g.20gb", "uuid": "MIG-2222", "memory": 20 * 2**30}]}
RTX = {"name": "NVIDIA GeForce RTX 4090", "uuid": "GPU-4090", "memory": 25757220864, "cc": (8, 9),
       "mig": "NotSupported", "ecc": "NotSupported", "bus": "00000000:01:00.0"}


def fake_nvml(devices: list[dict], *, init_error: str | None = None, driver=b"550.54.15", cuda=12040,
              failing: dict[str, str] | None = None) -> types.ModuleType:
    """A stand-in for nvidia-ml-py: the functions gpu.py calls, the error classes, and a log of calls."""
    nvml = types.ModuleType("pynvml")
    nvml.calls = []
    failing = failing or {}

    class NVMLError(Exception):
        def __str__(self):
            return self.args[0] if self.args else type(self).__name__

    nvml.NVMLError = NVMLError
    for name in ("NotSupported", "LibraryNotFound", "DriverNotLoaded", "NotFound", "Unknown", "GpuIsLost",
                 "LibRmVersionMismatch"):
        setattr(nvml, f"NVMLError_{name}", type(f"NVMLError_{name}", (NVMLError,), {}))
    nvml.NVML_DEVICE_MIG_ENABLE, nvml.NVML_FEATURE_ENABLED = 1, 1

    def api(function):
        def call(*args):
            nvml.calls.append(function.__name__)
            if function.__name__ in failing:
                raise getattr(nvml, failing[function.__name__])("the fake says no")
            return function(*args)
        setattr(nvml, function.__name__, call)
        return call

    def value(handle, key, wrap=lambda v: v):
        found = handle[key]
        if found == "NotSupported":
            raise nvml.NVMLError_NotSupported("Not Supported")
        return wrap(found)

    @api
    def nvmlInit():
        if init_error:
            raise getattr(nvml, init_error)("init failed")

    @api
    def nvmlShutdown():
        pass

    nvml.nvmlSystemGetDriverVersion = api(_named("nvmlSystemGetDriverVersion", lambda: driver))
    nvml.nvmlSystemGetCudaDriverVersion = api(_named("nvmlSystemGetCudaDriverVersion", lambda: cuda))
    nvml.nvmlDeviceGetCount = api(_named("nvmlDeviceGetCount", lambda: len(devices)))
    nvml.nvmlDeviceGetHandleByIndex = api(_named("nvmlDeviceGetHandleByIndex", lambda i: devices[i]))
    nvml.nvmlDeviceGetName = api(_named("nvmlDeviceGetName", lambda h: value(h, "name")))
    nvml.nvmlDeviceGetUUID = api(_named("nvmlDeviceGetUUID", lambda h: value(h, "uuid")))
    nvml.nvmlDeviceGetMemoryInfo = api(_named("nvmlDeviceGetMemoryInfo",
                                              lambda h: types.SimpleNamespace(total=h["memory"], free=1, used=2)))
    nvml.nvmlDeviceGetCudaComputeCapability = api(_named("nvmlDeviceGetCudaComputeCapability",
                                                         lambda h: value(h, "cc")))
    nvml.nvmlDeviceGetMigMode = api(_named("nvmlDeviceGetMigMode", lambda h: value(h, "mig")))
    nvml.nvmlDeviceGetEccMode = api(_named("nvmlDeviceGetEccMode", lambda h: value(h, "ecc")))
    nvml.nvmlDeviceGetPciInfo = api(_named("nvmlDeviceGetPciInfo",
                                           lambda h: types.SimpleNamespace(busId=h["bus"])))
    nvml.nvmlDeviceGetMaxMigDeviceCount = api(_named("nvmlDeviceGetMaxMigDeviceCount",
                                                     lambda h: len(h.get("mig_devices", []))))

    def mig_handle(h, slot):
        found = h["mig_devices"][slot]
        if found is None:
            raise nvml.NVMLError_NotFound("Not Found")
        return found

    nvml.nvmlDeviceGetMigDeviceHandleByIndex = api(_named("nvmlDeviceGetMigDeviceHandleByIndex", mig_handle))
    return nvml


def _named(name, function):
    function.__name__ = name
    return function


@pytest.fixture
def install(monkeypatch):
    """Put a fake pynvml in sys.modules (gpu.py imports it inside collect)."""
    def put(module):
        monkeypatch.setitem(sys.modules, "pynvml", module)
        return module
    return put


def test_reads_names_uuids_memory_capability_driver_and_cuda_versions(install):
    nvml = install(fake_nvml([H100, H100]))
    section = gpu.collect({})
    assert section["available"] and section["count"] == 2 and section["visible_count"] == 2
    assert section["driver_version"] == "550.54.15" and section["cuda_driver_version"] == "12.4"
    device = section["devices"][0]
    assert device == {"index": 0, "name": "NVIDIA H100 80GB HBM3", "uuid": H100["uuid"],
                      "memory_total_bytes": 85520809984, "compute_capability": "9.0",
                      "mig": {"current": "disabled", "pending": "disabled"},
                      "ecc": {"current": "enabled", "pending": "enabled"},
                      "pci_bus_id": "00000000:18:00.0", "errors": {}, "visible": True}
    assert nvml.calls[0] == "nvmlInit" and nvml.calls[-1] == "nvmlShutdown"


def test_bytes_from_older_bindings_are_decoded_and_mig_devices_listed(install):
    install(fake_nvml([A100_MIG], driver=b"535.104.05", cuda=12020))
    section = gpu.collect({})
    device = section["devices"][0]
    assert device["name"] == "NVIDIA A100-SXM4-40GB" and device["uuid"].startswith("GPU-aaaa")
    assert device["mig"] == {"current": "enabled", "pending": "enabled"}
    assert [m["name"] for m in device["mig_devices"]] == ["NVIDIA A100-SXM4-40GB MIG 1g.5gb",
                                                          "NVIDIA A100-SXM4-40GB MIG 3g.20gb"]
    assert device["mig_devices"][1]["memory_total_bytes"] == 20 * 2**30
    assert section["cuda_driver_version"] == "12.2"


def test_features_a_gpu_lacks_are_fields_not_failures(install):
    install(fake_nvml([RTX]))
    device = gpu.collect({})["devices"][0]
    assert device["mig"] is None and device["ecc"] is None
    assert device["errors"] == {"mig": "not supported", "ecc": "not supported"}
    assert device["name"] == "NVIDIA GeForce RTX 4090" and device["compute_capability"] == "8.9"


@pytest.mark.parametrize("error, words", [
    ("NVMLError_LibraryNotFound", "libnvidia-ml.so was not found"),
    ("NVMLError_DriverNotLoaded", "driver is not loaded"),
    ("NVMLError_LibRmVersionMismatch", "differ in version"),
    ("NVMLError_Unknown", "NVML failed to start"),
])
def test_nvml_that_cannot_start_gives_a_reason(install, error, words):
    install(fake_nvml([H100], init_error=error))
    section = gpu.collect({})
    assert section["available"] is False and section["count"] == 0 and section["devices"] == []
    assert words in section["reason"] and section["error"].startswith(error)


def test_a_call_that_raises_is_kept_under_its_field(install):
    nvml = install(fake_nvml([H100], failing={"nvmlDeviceGetUUID": "NVMLError_GpuIsLost",
                                              "nvmlSystemGetCudaDriverVersion": "NVMLError_Unknown"}))
    section = gpu.collect({})
    device = section["devices"][0]
    assert device["uuid"] is None and device["errors"] == {"uuid": "NVMLError_GpuIsLost: the fake says no"}
    assert device["name"] == H100["name"]
    assert section["cuda_driver_version"] is None and "cuda_driver_version" in section["errors"]
    assert nvml.calls[-1] == "nvmlShutdown"


def test_a_device_whose_handle_fails_still_leaves_the_others(install):
    install(fake_nvml([H100], failing={"nvmlDeviceGetHandleByIndex": "NVMLError_GpuIsLost"}))
    section = gpu.collect({})
    assert section["devices"][0]["errors"] == {"handle": "NVMLError_GpuIsLost: the fake says no"}


def test_count_failing_means_no_devices_and_a_reason(install):
    install(fake_nvml([H100], failing={"nvmlDeviceGetCount": "NVMLError_Unknown"}))
    section = gpu.collect({})
    assert section["available"] is False and section["reason"] == "NVML could not count the GPUs"
    assert "count" in section["errors"]


def test_a_function_missing_from_old_bindings_is_a_field(install):
    nvml = install(fake_nvml([H100]))
    del nvml.nvmlDeviceGetCudaComputeCapability
    device = gpu.collect({})["devices"][0]
    assert device["compute_capability"] is None and "missing" in device["errors"]["compute_capability"]


def test_zero_gpus(install):
    install(fake_nvml([]))
    section = gpu.collect({})
    assert section["available"] is False and section["reason"] == "NVML reports no GPU"


def test_nvidia_ml_py_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` raise ImportError
    section = gpu.collect({})
    assert section["available"] is False and "nvidia-ml-py is not installed" in section["reason"]


@pytest.mark.parametrize("setting, visible", [
    (None, [0, 1, 2]),
    ("", []),
    ("2,0", [2, 0]),
    ("1,7,2", [1]),  # CUDA stops at the first entry it cannot resolve
    ("GPU-4090", [1]),
    ("MIG-2222", [2]),
    ("-1", []),
])
def test_cuda_visible_devices(install, setting, visible):
    install(fake_nvml([H100, RTX, A100_MIG]))
    environ = {} if setting is None else {"CUDA_VISIBLE_DEVICES": setting}
    section = gpu.collect(environ)
    assert [d["index"] for d in section["devices"] if d["visible"]] == sorted(visible)
    assert gpu.visible_indices(section["devices"], setting) == visible
    assert section["visible_count"] == len(visible) and section["count"] == 3


def test_no_cuda_context_no_framework(install):
    nvml = install(fake_nvml([H100]))
    before = {name for name in ("torch", "tensorflow", "pycuda", "cupy") if name in sys.modules}
    gpu.collect({})
    after = {name for name in ("torch", "tensorflow", "pycuda", "cupy") if name in sys.modules}
    assert after == before
    assert all(call.startswith(("nvmlInit", "nvmlShutdown", "nvmlSystem", "nvmlDevice")) for call in nvml.calls)


def test_this_machine_has_no_gpu_and_says_why():
    # This project's machine has no NVIDIA GPU or driver: the real nvidia-ml-py must answer with a reason.
    section = gpu.collect({})
    if section["available"]:
        pytest.skip("this machine has a GPU: the fake-NVML tests cover the section's shape")
    assert section["reason"] and section["devices"] == [] and section["count"] == 0


def test_a_library_the_loader_rejects_is_a_reason(install):
    nvml = install(fake_nvml([H100]))

    def unloadable():
        raise OSError("libnvidia-ml.so.1: wrong ELF class: ELFCLASS32")

    nvml.nvmlInit = unloadable
    section = gpu.collect({})
    assert section["reason"] == "NVML failed to load" and "wrong ELF class" in section["error"]
