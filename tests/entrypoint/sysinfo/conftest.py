"""A record of this machine, collected once (fast) and copied for each test that changes it."""

from __future__ import annotations

import copy

import pytest

from mlfcore.entrypoint import contract, sysinfo


@pytest.fixture(scope="session")
def _base_record() -> dict:
    return sysinfo.collect(contract.Settings(), fast=True)


@pytest.fixture
def record(_base_record) -> dict:
    return copy.deepcopy(_base_record)


def gpu_section(*models: str, driver: str = "550.54.15") -> dict:
    """A GPU section as gpu.collect() writes it, for len(models) visible GPUs."""
    devices = [{"index": i, "name": name, "uuid": f"GPU-{i}", "memory_total_bytes": 80 * 2**30,
                "compute_capability": "9.0", "mig": {"current": "disabled", "pending": "disabled"},
                "ecc": {"current": "enabled", "pending": "enabled"}, "pci_bus_id": None, "errors": {},
                "visible": True} for i, name in enumerate(models)]
    return {"available": bool(devices), "reason": None, "driver_version": driver, "cuda_driver_version": "12.4",
            "count": len(devices), "visible_count": len(devices), "cuda_visible_devices": None, "devices": devices,
            "errors": {}}
