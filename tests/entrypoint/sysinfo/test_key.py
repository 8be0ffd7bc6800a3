"""The environment key: stable on one machine and settings, sensitive to what decides the bits, blind to the rest."""

from __future__ import annotations

import copy
import json

import pytest

from mlfcore.entrypoint import contract, sysinfo
from mlfcore.entrypoint.sysinfo import key

from .conftest import gpu_section


def _key(record: dict) -> str:
    return sysinfo.environment_key(record)["key"]


def test_shape_and_the_fields_it_names(record):
    found = record["environment_key"]
    assert set(found) == {"key", "version", "fields"} and len(found["key"]) == 64
    assert found["fields"] == [field.name for field in key.FIELDS]
    assert {"seed", "threads", "framework.torch", "cpu.dispatch", "gpu.models", "gpu.count", "cuda.cudnn",
            "gpu.driver", "contract.environment", "image.lock_hash", "arch"} <= set(found["fields"])


def test_same_machine_and_settings_give_the_same_key(record):
    again = sysinfo.collect(contract.Settings(), fast=True)
    assert again["environment_key"] == record["environment_key"]
    assert _key(json.loads(json.dumps(record))) == record["environment_key"]["key"]  # survives a JSON round trip


def test_a_full_record_has_the_fast_records_key(record):
    # The frameworks' run-time reports never enter the key: replacing "skipped" by reports changes nothing.
    full = copy.deepcopy(record)
    full["frameworks"]["runtime"] = {"torch": {"version": "2.13.0+cpu", "cpu_capability": "AVX2", "num_threads": 2}}
    full["collected"]["fast"] = False
    assert _key(full) == _key(record)


@pytest.mark.parametrize("change", [
    lambda r: r["collected"].update(hostname="elsewhere", pid=1, at="2030-01-01T00:00:00+00:00", seconds=9.0),
    lambda r: r["memory"].update(available_bytes=1, total_bytes=2**40),
    lambda r: r["cpu"]["cores"].update(physical=64, logical=128, usable=128),
    lambda r: r["cpu"].update(model="Some other CPU of the same level"),
    lambda r: r["system"].update(kernel="6.1.0-99-amd64"),
    lambda r: r["system"]["python"].update(executable="/elsewhere/bin/python"),
    lambda r: r["project"].update(commit="0" * 40, dirty=True),
    lambda r: r["packages"].update({"black": "24.1.0"}),
], ids=["collected", "memory", "cores", "cpu-model", "kernel", "executable", "project", "unrelated-package"])
def test_volatile_and_unrelated_facts_never_change_it(record, change):
    before = _key(record)
    change(record)
    assert _key(record) == before


@pytest.mark.parametrize("settings", [contract.Settings(threads=4), contract.Settings(seed=7),
                                      contract.Settings(portable=False), contract.Settings(allow=("MKL_CBWR",))],
                         ids=["threads", "seed", "portable", "allow"])
def test_settings_change_it(record, settings):
    other = sysinfo.collect(settings, fast=True)
    assert other["environment_key"]["key"] != record["environment_key"]["key"]


@pytest.mark.parametrize("change", [
    lambda r: r["frameworks"]["frameworks"].update(torch={"distribution": "torch", "version": "2.12.0"}),
    lambda r: r["frameworks"]["frameworks"].update(xgboost={"distribution": "xgboost", "version": "3.1.0"}),
    lambda r: r["frameworks"]["libraries"].update(numpy={"distribution": "numpy", "version": "1.26.4"}),
    lambda r: r["frameworks"]["nvidia_libraries"].update(
        cudnn=[{"distribution": "nvidia-cudnn-cu12", "version": "9.1.0.70"}]),
    lambda r: r.update(gpu=gpu_section("NVIDIA H100 80GB HBM3")),
    lambda r: r["system"]["container"]["image"].update(lock_hash="cd" * 32),
    lambda r: r["system"]["libc"].update(version="2.31"),
    lambda r: r["system"]["python"].update(version="3.12.1"),
    lambda r: r["cpu"].update(arch="aarch64"),
], ids=["torch", "xgboost", "numpy", "cudnn", "gpu", "image", "glibc", "python", "arch"])
def test_what_decides_the_bits_changes_it(record, change):
    before = _key(record)
    change(record)
    assert _key(record) != before


def test_gpu_model_count_and_driver_each_change_it(record):
    keys = set()
    for section in (gpu_section("NVIDIA H100 80GB HBM3"), gpu_section("NVIDIA A100-SXM4-80GB"),
                    gpu_section("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"),
                    gpu_section("NVIDIA H100 80GB HBM3", driver="560.28.03")):
        record["gpu"] = section
        keys.add(_key(record))
    assert len(keys) == 4


def test_free_gpu_memory_and_uuids_do_not_change_it(record):
    record["gpu"] = gpu_section("NVIDIA H100 80GB HBM3")
    before = _key(record)
    record["gpu"]["devices"][0].update(uuid="GPU-other", pci_bus_id="00000000:99:00.0")
    assert _key(record) == before


def test_a_gpu_hidden_by_cuda_visible_devices_does_not_count(record):
    record["gpu"] = gpu_section("NVIDIA H100 80GB HBM3")
    one = _key(record)
    record["gpu"] = gpu_section("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3")
    record["gpu"]["devices"][1]["visible"] = False
    assert _key(record) == one


def _dispatch(record: dict, host: str, pinned: str | None, flags: list[str]) -> dict:
    effective = pinned if pinned and ["default", "avx2", "avx512"].index(host) >= ["default", "avx2", "avx512"].index(
        pinned) else host
    record["cpu"].update(isa_flags=flags, dispatch={"host_level": host, "pinned": pinned, "effective": effective})
    return record


AVX2 = ["sse4_1", "sse4_2", "avx", "avx2", "fma"]
AVX512 = AVX2 + ["avx512f", "avx512dq", "avx512bw", "avx512vl", "amx_tile"]


def test_pinned_dispatch_makes_avx2_and_avx512_hosts_agree(record):
    assert _key(_dispatch(record, "avx2", "avx2", AVX2)) == _key(_dispatch(copy.deepcopy(record), "avx512", "avx2",
                                                                           AVX512))


def test_unpinned_dispatch_keys_the_hosts_isa(record):
    first = _key(_dispatch(record, "avx2", None, AVX2))
    assert first != _key(_dispatch(copy.deepcopy(record), "avx512", None, AVX512))
    # ... down to extensions the level does not name (oneDNN uses AMX when nothing caps it)
    assert _key(_dispatch(copy.deepcopy(record), "avx512", None, AVX512)) != _key(
        _dispatch(copy.deepcopy(record), "avx512", None, AVX512[:-1]))


def test_a_host_below_the_pin_is_keyed_by_its_own_isa(record):
    assert _key(_dispatch(record, "default", "avx2", ["sse4_1", "sse4_2"])) != _key(
        _dispatch(copy.deepcopy(record), "avx2", "avx2", AVX2))


def test_seed_and_threads_are_their_own_fields_not_repeated_in_the_contract_environment(record):
    values = key.values(record)
    assert values["seed"] == 0 and values["threads"] == 2
    assert "PYTHONHASHSEED" not in values["contract.environment"]
    assert "OMP_NUM_THREADS" not in values["contract.environment"]
    assert values["contract.environment"]["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"


def test_a_record_missing_sections_still_has_a_key():
    assert len(_key({"schema_version": 1})) == 64


def test_docs_explain_every_key_field():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "sysinfo.md").read_text(encoding="utf-8")
    missing = [field.name for field in key.FIELDS if f"`{field.name}`" not in docs]
    assert missing == [], f"docs/sysinfo.md does not explain {missing}"
