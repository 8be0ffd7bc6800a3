"""A fingerprint against its golden value. The records are the committed ones (what the recording runs wrote); a
record "from another machine" is one of them with the facts changed that such a machine would show."""

import copy

import pytest

from mlfcore.scaffold.golden import check, hosts, table


@pytest.fixture(scope="module")
def golden():
    committed = table.load()
    entry = next(e for e in committed.entries if e.runtime == "venv" and e.suite and not e.mode)
    return committed, entry, hosts.load(entry)


def other_machine(record: dict) -> dict:
    changed = copy.deepcopy(record)
    changed["cpu"]["model"] = "Another CPU 9000"
    changed["cpu"]["isa_flags"] = [f for f in changed["cpu"]["isa_flags"] if not f.startswith("avx512")]
    changed["packages"]["rich"] = "0.0.1"
    return changed


def asked(entry, record, **changes):
    fields = dict(params=entry.params, image=entry.image, variant=entry.variant, mode=entry.mode)
    fields.update(changes)
    return check.wanted(entry.example, entry.runtime, record, **fields)


def test_the_golden_value_matches(golden):
    committed, entry, record = golden
    outcome = check.compare(committed, asked(entry, record), entry.fingerprint, record)
    assert outcome.matched and outcome.golden == entry


def test_a_machine_that_reproduces_values_is_named_when_its_kind_of_cpu_is_new(golden):
    committed, entry, record = golden
    assert check.new_kinds(committed, [(entry, record)]) == {}  # the recording machine is a host already
    elsewhere = other_machine(record)
    (kind_record, entries), = check.new_kinds(committed, [(entry, record), (entry, elsewhere)]).values()
    assert kind_record["cpu"]["model"] == "Another CPU 9000" and entries == [entry]


def test_a_mismatch_names_both_values_the_recording_host_and_the_sysinfo_difference(golden):
    committed, entry, record = golden
    elsewhere = other_machine(record)
    got = "v2:" + "0" * 64
    outcome = check.compare(committed, asked(entry, elsewhere), got, elsewhere)
    assert not outcome.matched
    text = " ".join(outcome.failure.split())
    host = committed.host(entry.host)
    assert f"{entry.id}: this run gave {got}, the golden value is {entry.fingerprint}" in text
    assert f"recorded {entry.date} on {host.model} ({host.vendor}, {host.arch}, ISA level {host.level})" in text
    assert f"CPU here: Another CPU 9000 ({host.vendor}, {host.arch}, ISA level {host.level})" in text
    assert "ISA flags only recorded: avx512f avx512dq" in text and "only here: -" in text
    # The sysinfo difference: the CPU model and the packages, each with the recorded value (A).
    for field in ("cpu.model", "Another CPU 9000", host.model, "packages", "rich"):
        assert field in outcome.failure, field


def test_without_an_entry_the_failure_says_how_to_add_one(golden):
    committed, entry, record = golden
    outcome = check.compare(committed, asked(entry, record, params={"epochs": "99"}), entry.fingerprint, record)
    assert not outcome.matched and outcome.golden is None
    wanted = asked(entry, record, params={"epochs": "99"})
    assert outcome.failure.startswith(f"the golden table has no value for {wanted.id!r}")
    assert f"`make golden ONLY='{wanted.id}'`" in outcome.failure


def test_a_cuda_image_without_gpus_is_compared_with_the_cpu_image_entry(golden):
    committed, _, _ = golden
    entry = next(e for e in committed.entries if e.runtime == "image" and e.variant == "cpu")
    record = hosts.load(entry)
    assert check.golden_for(committed, asked(entry, record, variant="cuda")) == entry
    on_a_gpu = copy.deepcopy(record)
    on_a_gpu["gpu"]["devices"] = [{"name": "NVIDIA H100", "visible": True}]
    assert check.golden_for(committed, asked(entry, on_a_gpu, variant="cuda")) is None  # the GPU computes


def test_the_scaffold_commits_its_templates_value(golden):
    committed, _, _ = golden
    entry = next(e for e in committed.entries if e.example == "scaffold/pytorch")
    assert check.template_value("pytorch", "cpu", entry.arch, committed) == entry.fingerprint
    assert check.template_value("pytorch", "cuda", entry.arch, committed) == entry.fingerprint  # no GPU: the cpu bits
    assert check.template_value("pytorch", "cpu", "riscv64", committed) is None
