"""collect() as a whole: a record on this machine, and one where nothing Linux-specific can be read."""

from __future__ import annotations

import json
import sys
import types

from mlfcore.entrypoint import contract, sysinfo
from mlfcore.entrypoint.sysinfo import cgroup, cpu, system


def test_this_machine_gives_a_complete_record(record):
    assert sysinfo.validate(record) == []
    assert json.loads(json.dumps(record)) == record  # JSON-able as it is
    for section in ("system", "cpu", "memory", "gpu", "frameworks", "project"):
        assert "error" not in record[section] or section == "gpu", (section, record[section])
    assert record["contract"] == contract.record(contract.Settings())
    assert record["packages"]["mlfcore"] == record["mlfcore_version"]


def test_without_proc_sys_or_etc_every_section_says_why(tmp_path, monkeypatch):
    # What a non-Linux system (or a locked-down sandbox) looks like: none of the files exist.
    missing = tmp_path / "missing"
    monkeypatch.setattr(cpu, "PROC_CPUINFO", missing / "cpuinfo")
    monkeypatch.setattr(cpu, "SVE_VECTOR_LENGTH", missing / "sve")
    monkeypatch.setattr(cgroup, "PROC_CGROUP", missing / "cgroup")
    monkeypatch.setattr(cgroup, "PROC_MOUNTINFO", missing / "mountinfo")
    monkeypatch.setattr(system, "OS_RELEASE", (missing / "os-release",))
    monkeypatch.setattr(system, "CONTAINER_FILES", ())
    monkeypatch.setattr(system, "PROC_1_CGROUP", missing / "1-cgroup")
    monkeypatch.delattr(cpu.os, "sched_getaffinity", raising=False)
    fake = types.ModuleType("cpuinfo")
    fake.get_cpu_info = lambda: {"vendor_id_raw": "GenuineIntel", "brand_raw": "Intel Core", "flags": ["avx2"]}
    monkeypatch.setitem(sys.modules, "cpuinfo", fake)
    monkeypatch.setitem(sys.modules, "pynvml", None)
    record = sysinfo.collect(contract.Settings(), fast=True, project_dir=tmp_path)
    assert sysinfo.validate(record) == []
    assert record["cpu"]["source"] == "py-cpuinfo" and record["cpu"]["cores"]["usable"] is None
    assert "cgroups unreadable" in record["cpu"]["cgroup"]["reason"]
    assert "cgroups unreadable" in record["memory"]["cgroup"]["reason"]
    assert "no os-release file" in record["system"]["distribution"]["reason"]
    assert "nvidia-ml-py is not installed" in record["gpu"]["reason"]
    assert record["project"]["commit"] is None and record["project"]["reason"]
    assert len(record["environment_key"]["key"]) == 64


def test_a_bug_in_one_section_is_kept_in_that_section(monkeypatch):
    def broken(*args):
        raise KeyError("oops")

    monkeypatch.setattr(system, "collect", broken)
    record = sysinfo.collect(contract.Settings(), fast=True)
    assert record["system"]["error"] == "KeyError: 'oops'" and "a bug" in record["system"]["reason"]
    assert record["cpu"]["arch"]  # the other sections are there


def test_gpus_read_through_nvml_enter_the_key(monkeypatch):
    from mlfcore.entrypoint.sysinfo import key

    from .test_gpu import H100, fake_nvml

    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([H100, H100]))
    record = sysinfo.collect(contract.Settings(), fast=True)
    values = key.values(record)
    assert values["gpu.models"] == [H100["name"]] * 2 and values["gpu.count"] == 2
    assert values["gpu.driver"] == "550.54.15" and values["gpu.cuda_driver"] == "12.4"
    assert sysinfo.validate(record) == []
