"""`make golden` and `make golden-hosts` on the table: a changed value only with a reason of a known kind, hosts
that proved an old value lose it, a machine joins the hosts only when it reproduces every value. The measurements
are the committed records' runs (a "changed" one is that run with another fingerprint), so no training is needed
here; the last test runs the real command, which trains."""

import copy
import json
import subprocess
import sys
from dataclasses import replace

import pytest

from mlfcore.entrypoint.errors import CheckFailed, UsageError
from mlfcore.entrypoint.train.fingerprint import ALGORITHM
from mlfcore.scaffold.golden import hosts, record, table
from mlfcore.scaffold.golden.measure import Measured

OTHER = f"v{ALGORITHM}:" + "1" * 64  # another value of this mlf's algorithm version


@pytest.fixture
def golden():
    committed = table.load()
    entry = next(e for e in committed.entries if e.runtime == "venv" and e.suite and not e.mode)
    return committed, entry, hosts.load(entry)


def measuring(values: dict[str, Measured]):
    return lambda entry: values[entry.id]


def other_machine(record_: dict) -> dict:
    changed = copy.deepcopy(record_)
    changed["cpu"]["model"] = "Another CPU 9000"
    return changed


@pytest.mark.parametrize("reason", ["because", "example:", "weather: it rained", ": numpy 2.5"])
def test_a_reason_names_a_known_kind_and_what_changed(reason):
    with pytest.raises(UsageError, match="must be '<kind>: <what changed>'"):
        record.check_form(reason)


def test_a_changed_value_without_a_reason_is_refused_listing_old_and_new(golden):
    committed, entry, recorded = golden
    with pytest.raises(UsageError) as caught:
        record.record(committed, [entry], measuring({entry.id: Measured(OTHER, recorded, 1.0)}), None,
                      say=lambda _: None)
    assert "1 golden value(s) changed and no reason was given; nothing written" in caught.value.message
    assert f"{entry.id}: {entry.fingerprint} -> {OTHER}" in caught.value.message


def test_the_algorithm_is_the_reason_exactly_when_its_version_moved(golden):
    committed, entry, recorded = golden
    change = record.Change(entry, Measured(OTHER, recorded, 1.0))
    with pytest.raises(UsageError, match="does not fit: the fingerprint algorithm's version did not change"):
        record.check_reason("algorithm: version 3", [change])
    moved = record.Change(entry, Measured(f"v{ALGORITHM - 1}:" + "1" * 64, recorded, 1.0))  # another version
    with pytest.raises(UsageError, match="does not fit: the fingerprint algorithm's version changed"):
        record.check_reason("example: a new layer", [moved])
    assert record.check_reason(" algorithm :  version 3 ", [moved]) == "algorithm: version 3"


def test_a_changed_value_with_a_reason_is_written_and_other_hosts_lose_the_old_proof(golden, tmp_path):
    committed, entry, recorded = golden
    elsewhere = replace(committed.host(entry.host), id="elsewhere", model="Another CPU 9000")
    committed = replace(committed, hosts=(*committed.hosts, elsewhere))
    updated = record.record(committed, [entry], measuring({entry.id: Measured(OTHER, recorded, 1.0)}),
                            "pin: numpy 9.9", say=lambda _: None, records=tmp_path)
    new = updated.find(entry.key)
    assert (new.fingerprint, new.reason, new.host, new.date) == (OTHER, "pin: numpy 9.9", entry.host, record.today())
    assert entry.id in updated.host(entry.host).proved and entry.id not in updated.host("elsewhere").proved
    assert json.loads((tmp_path / new.record_name).read_text()) == hosts.anonymise(recorded)
    assert [e for e in updated.entries if e.key != entry.key] == [e for e in committed.entries if e.key != entry.key]


def test_an_unchanged_value_from_a_new_kind_of_cpu_adds_it_as_a_host(golden, tmp_path):
    committed, entry, recorded = golden
    updated = record.record(committed, [entry], measuring({entry.id: Measured(entry.fingerprint,
                                                                              other_machine(recorded), 1.0)}),
                            None, say=lambda _: None, records=tmp_path)
    assert updated.entries == committed.entries and list(tmp_path.iterdir()) == []
    (new_host,) = [h for h in updated.hosts if h not in committed.hosts]
    assert new_host.model == "Another CPU 9000" and new_host.proved == (entry.id,)
    assert new_host.id == f"another-cpu-9000-{committed.host(entry.host).level}"


def test_golden_hosts_adds_a_machine_only_when_every_value_is_reproduced(golden):
    committed, entry, recorded = golden
    second = next(e for e in committed.entries if e.runtime == "venv" and e.suite and e.id != entry.id)
    machine = other_machine(recorded)
    good = {entry.id: Measured(entry.fingerprint, machine, 1.0), second.id: Measured(second.fingerprint, machine, 1.0)}
    proved = record.prove(committed, [entry, second], measuring(good), say=lambda _: None)
    (new_host,) = [h for h in proved.hosts if h not in committed.hosts]
    assert new_host.proved == (entry.id, second.id) and proved.entries == committed.entries
    bad = {**good, second.id: Measured(OTHER, machine, 1.0)}
    with pytest.raises(CheckFailed, match="does not reproduce the golden values; nothing written") as caught:
        record.prove(committed, [entry, second], measuring(bad), say=lambda _: None)
    assert f"{second.id}: this run gave {OTHER}" in caught.value.message


@pytest.mark.slow
def test_make_golden_refuses_a_changed_value_without_a_reason_and_writes_nothing(golden, tmp_path):
    """The real command, one real training (the cheapest venv entry): a table whose value differs from what this
    machine gives is left as it was."""
    committed, _, _ = golden
    cheapest = next(e for e in committed.entries if e.example == "xgboost_digits" and e.runtime == "venv"
                    and not e.mode)
    path, page = tmp_path / "fingerprints.toml", tmp_path / "PROOF.md"
    table.write(table.Table((replace(cheapest, fingerprint=OTHER),), committed.hosts), path)
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.golden", "record", "--table", str(path),
                             "--records", str(tmp_path / "records"), "--docs", str(page)],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"{cheapest.id}: {OTHER} -> {cheapest.fingerprint}" in result.stderr  # this machine gives the golden one
    assert path.read_bytes() == before and not page.exists() and not (tmp_path / "records").exists()
