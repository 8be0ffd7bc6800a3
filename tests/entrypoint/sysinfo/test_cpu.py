"""The CPU section: /proc/cpuinfo parsing, dispatch levels, the py-cpuinfo fallback, and this machine."""

from __future__ import annotations

import sys
import types

from mlfcore.entrypoint import contract
from mlfcore.entrypoint.sysinfo import cpu

X86 = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse4_1 sse4_2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16 amx_tile amx_bf16

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: second block is ignored
flags\t\t: fpu
"""

ARM = """processor\t: 0
BogoMIPS\t: 2000.00
Features\t: fp asimd evtstrm aes sha1 sve sve2 bf16 i8mm asimddp
CPU implementer\t: 0x41
CPU architecture: 8
CPU part\t: 0xd40
"""

SSE_ONLY = "vendor_id : GenuineIntel\nmodel name : Old Xeon\nflags : sse4_1 sse4_2\n"


def test_parse_x86_reads_the_first_block():
    parsed = cpu.parse_cpuinfo(X86)
    assert parsed["vendor"] == "GenuineIntel" and parsed["model"] == "Intel(R) Xeon(R) Platinum 8480+"
    assert "amx_tile" in parsed["flags"] and "fpu" in parsed["flags"]


def test_parse_arm_names_the_core_by_implementer_and_part():
    parsed = cpu.parse_cpuinfo(ARM)
    assert parsed["vendor"] == "0x41" and parsed["model"] == "implementer 0x41 part 0xd40"
    assert {"sve", "sve2", "asimd"} <= set(parsed["flags"])


def test_dispatch_levels_follow_torchs_capabilities():
    assert cpu.dispatch_level("x86_64", set(cpu.parse_cpuinfo(X86)["flags"])) == "avx512"
    assert cpu.dispatch_level("x86_64", {"avx2", "fma"}) == "avx2"
    assert cpu.dispatch_level("x86_64", {"avx2"}) == "default"  # torch's avx2 kernels also need FMA
    assert cpu.dispatch_level("aarch64", {"sve", "sve_vl32"}) == "sve256"
    assert cpu.dispatch_level("aarch64", {"sve"}) == "default"
    assert cpu.dispatch_level("riscv64", {"v"}) is None


def test_the_pin_holds_only_where_the_host_reaches_it():
    assert cpu.effective_dispatch("x86_64", "avx512", "avx2") == "avx2"
    assert cpu.effective_dispatch("x86_64", "avx2", "avx2") == "avx2"
    assert cpu.effective_dispatch("x86_64", "default", "avx2") == "default"  # the host is below the pin
    assert cpu.effective_dispatch("x86_64", "avx512", None) == "avx512"  # not portable: nothing pinned


def _collect(tmp_path, text, portable=True, arch="x86_64", sve=None):
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    sve_path = tmp_path / "sve"
    if sve is not None:
        sve_path.write_text(sve)
    return cpu.collect(contract.Settings(portable=portable), cpuinfo_path=path, sve_path=sve_path, arch=arch)


def test_collect_lists_only_dispatch_flags_and_the_pinned_level(tmp_path):
    section = _collect(tmp_path, X86)
    assert section["isa_flags"] == ["sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512cd",
                                    "avx512bw", "avx512vl", "avx512_bf16", "amx_tile", "amx_bf16"]
    assert section["dispatch"] == {"host_level": "avx512", "pinned": "avx2", "effective": "avx2"}
    assert section["source"].endswith("cpuinfo")


def test_collect_unpinned_runs_at_the_hosts_level(tmp_path):
    assert _collect(tmp_path, X86, portable=False)["dispatch"] == {"host_level": "avx512", "pinned": None,
                                                                   "effective": "avx512"}


def test_collect_a_host_below_the_pin_runs_at_its_own_level(tmp_path):
    assert _collect(tmp_path, SSE_ONLY)["dispatch"] == {"host_level": "default", "pinned": "avx2",
                                                        "effective": "default"}


def test_collect_arm_with_256_bit_sve(tmp_path):
    section = _collect(tmp_path, ARM, arch="aarch64", sve="32\n")
    assert section["dispatch"] == {"host_level": "sve256", "pinned": "default", "effective": "default"}
    assert section["isa_flags"] == ["asimd", "asimddp", "sve", "sve2", "bf16", "i8mm"]


def test_without_proc_cpuinfo_py_cpuinfo_answers(tmp_path, monkeypatch):
    fake = types.ModuleType("cpuinfo")
    fake.get_cpu_info = lambda: {"vendor_id_raw": "Apple", "brand_raw": "Apple M3", "flags": ["asimd"]}
    monkeypatch.setitem(sys.modules, "cpuinfo", fake)
    section = cpu.collect(contract.Settings(), cpuinfo_path=tmp_path / "missing", arch="aarch64")
    assert (section["vendor"], section["model"], section["source"]) == ("Apple", "Apple M3", "py-cpuinfo")
    assert section["isa_flags"] == ["asimd"]


def test_when_py_cpuinfo_fails_too_a_reason_is_recorded(tmp_path, monkeypatch):
    fake = types.ModuleType("cpuinfo")

    def broken():
        raise OSError("cpuid blocked")

    fake.get_cpu_info = broken
    monkeypatch.setitem(sys.modules, "cpuinfo", fake)
    section = cpu.collect(contract.Settings(), cpuinfo_path=tmp_path / "missing")
    assert section["model"] is None and "py-cpuinfo failed" in section["reason"] and "missing" in section["reason"]
    assert section["dispatch"]["host_level"] == "default"


def test_this_machine():
    section = cpu.collect(contract.Settings())
    assert section["arch"] == contract.machine_arch()
    assert section["vendor"] and section["model"] and "reason" not in section
    assert section["cores"]["logical"] >= 1 and section["cores"]["usable"] >= 1
    assert section["dispatch"]["host_level"] in {"default", "avx2", "avx512", "sve256"}
    assert set(section["isa_flags"]) <= set(cpu.DISPATCH_FLAGS)
