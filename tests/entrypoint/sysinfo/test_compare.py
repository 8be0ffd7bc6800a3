"""sysinfo.diff: the fields that differ, most important first."""

from __future__ import annotations

import copy

from mlfcore.entrypoint import sysinfo
from mlfcore.entrypoint.sysinfo import key

from .conftest import gpu_section


def test_identical_records_have_no_differences(record):
    assert sysinfo.diff(record, copy.deepcopy(record)) == []
    assert sysinfo.same_key(record, copy.deepcopy(record))


def test_differences_come_in_the_key_tables_order(record):
    other = copy.deepcopy(record)
    # changed in reverse order of importance
    other["system"]["container"]["image"]["lock_hash"] = "ef" * 32
    other["gpu"] = gpu_section("NVIDIA H100 80GB HBM3")
    other["frameworks"]["frameworks"]["torch"] = {"distribution": "torch", "version": "2.12.0"}
    other["contract"]["threads"] = 8
    other["contract"]["seed"] = 42
    found = sysinfo.diff(record, other)
    assert [entry["field"] for entry in found] == ["seed", "threads", "framework.torch", "gpu.models", "gpu.count",
                                                   "gpu.mig", "gpu.driver", "gpu.cuda_driver", "image.lock_hash",
                                                   "gpu.compute_capability"]
    assert found[0] == {"field": "seed", "a": 0, "b": 42, "why": key.BY_NAME["seed"].why, "in_key": True}
    assert found[2]["a"] == record["frameworks"]["frameworks"]["torch"]["distribution"] + "==" + \
        record["frameworks"]["frameworks"]["torch"]["version"] and found[2]["b"] == "torch==2.12.0"
    assert not sysinfo.same_key(record, other)


def test_facts_outside_the_key_come_after_it_and_say_so(record):
    other = copy.deepcopy(record)
    other["project"].update(commit="f" * 40, dirty=not record["project"]["dirty"])
    other["packages"]["rich"] = "1.0"
    other["contract"]["seed"] = 1
    found = sysinfo.diff(record, other)
    assert [(e["field"], e["in_key"]) for e in found] == [("seed", True), ("project.commit", False),
                                                          ("project.dirty", False), ("packages", False)]
    assert found[-1]["b"] == {"rich": "1.0"}


def test_only_outside_the_key_means_the_same_key(record):
    other = copy.deepcopy(record)
    other["cpu"]["model"] = "another CPU"
    assert [e["field"] for e in sysinfo.diff(record, other)] == ["cpu.model"]
    assert sysinfo.same_key(record, other)


def test_run_time_reports_are_compared_only_when_both_records_have_them(record):
    full = copy.deepcopy(record)
    full["frameworks"]["runtime"] = {"torch": {"cpu_capability": "AVX2"}}
    assert sysinfo.diff(record, full) == []  # a --fast record against a full one: nothing to compare
    other = copy.deepcopy(full)
    other["frameworks"]["runtime"]["torch"]["cpu_capability"] = "AVX512"
    assert [(e["field"], e["a"], e["b"]) for e in sysinfo.diff(full, other)] == [
        ("runtime.torch", {"cpu_capability": "AVX2"}, {"cpu_capability": "AVX512"})]


def test_packages_the_key_compares_are_not_repeated(record):
    other = copy.deepcopy(record)
    other["frameworks"]["libraries"]["numpy"] = {"distribution": "numpy", "version": "1.0"}
    other["packages"]["numpy"] = "1.0"
    assert [e["field"] for e in sysinfo.diff(record, other)] == ["library.numpy"]


def test_mappings_show_only_their_differing_entries(record):
    other = copy.deepcopy(record)
    other["contract"]["environment"]["MKL_CBWR"] = "COMPATIBLE"
    del other["contract"]["environment"]["NCCL_ALGO"]
    (entry,) = sysinfo.diff(record, other)
    assert entry["field"] == "contract.environment"
    assert entry["a"] == {"MKL_CBWR": record["contract"]["environment"]["MKL_CBWR"], "NCCL_ALGO": "Ring"}
    assert entry["b"] == {"MKL_CBWR": "COMPATIBLE", "NCCL_ALGO": None}


def test_a_framework_under_another_distribution_name_is_not_repeated_either(record):
    other = copy.deepcopy(record)
    other["frameworks"]["frameworks"]["tensorflow"] = {"distribution": "tensorflow-cpu", "version": "2.0.0"}
    other["packages"]["tensorflow-cpu"] = "2.0.0"
    assert [e["field"] for e in sysinfo.diff(record, other)] == ["framework.tensorflow"]
