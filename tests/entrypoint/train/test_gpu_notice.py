"""The start-up line for GPUs going unused, on this machine's record changed one fact at a time."""

from __future__ import annotations

import copy

import pytest

from mlfcore.entrypoint import contract, frameworks, sysinfo
from mlfcore.entrypoint.train import gpu_notice

H200 = {"index": 0, "name": "NVIDIA H200", "visible": True}


@pytest.fixture(scope="module")
def here():
    return sysinfo.collect(contract.Settings(), fast=True)


def _with(record, *, variant=None, gpus=(), packages=None):
    changed = copy.deepcopy(record)
    changed["system"]["container"]["image"]["variant"] = variant
    changed["gpu"] = {"available": bool(gpus), "reason": None if gpus else "NVML could not be loaded",
                      "devices": list(gpus)}
    changed["packages"] = {**changed["packages"], **(packages or {})}
    for name, version in list(changed["packages"].items()):  # of the CPU-only builds, only those a case names
        if name not in (packages or {}) and any(f.cpu_only({name: version}) for f in frameworks.registered()):
            changed["packages"].pop(name)
    return changed


def test_nothing_to_say_without_gpus_in_a_cpu_setting(here):
    assert gpu_notice.notice(_with(here, variant="cpu", packages={"torch": "2.13.0+cpu"})) is None


def test_a_cuda_image_without_a_gpu_says_so_and_how_to_give_it_one(here):
    note = gpu_notice.notice(_with(here, variant="cuda", packages={"torch": "2.13.0"}))
    assert "CUDA image, but it sees no GPU (NVML could not be loaded)" in note and "--gpus all" in note
    assert gpu_notice.notice(_with(here, variant="cuda", gpus=[H200], packages={"torch": "2.13.0"})) is None


@pytest.mark.parametrize("build", [{"torch": "2.13.0+cpu"}, {"tensorflow-cpu": "2.21.0"}, {"xgboost-cpu": "3.2.0"}])
def test_gpus_beside_a_cpu_build_are_named(here, build):
    note = gpu_notice.notice(_with(here, variant="cpu", gpus=[H200], packages=build))
    (name, version), = build.items()
    assert note.startswith("1 GPU(s) are visible") and f"{name}=={version} is a CPU-only build" in note


def test_gpus_hidden_by_cuda_visible_devices_do_not_count(here):
    hidden = {**H200, "visible": False}
    assert gpu_notice.notice(_with(here, gpus=[hidden], packages={"torch": "2.13.0+cpu"})) is None
    assert gpu_notice.notice(_with(here, gpus=[H200], packages={"torch": "2.13.0"})) is None
