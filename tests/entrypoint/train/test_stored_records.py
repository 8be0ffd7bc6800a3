"""Records stay readable: a run recorded by mlfcore 0.1.0 (fixtures/run-0.1.0: the artifacts `mlf train` logged for
the tiny NumPy project, and its outputs) is read back, and its fingerprint and environment key recompute the same.
A change to either algorithm must bump its version and keep reading this record."""

import json
from pathlib import Path

from mlfcore.entrypoint.sysinfo import key, schema
from mlfcore.entrypoint.train import fingerprint

STORED = Path(__file__).parent / "fixtures" / "run-0.1.0"


def _load(name: str) -> dict:
    return json.loads((STORED / name).read_text(encoding="utf-8"))


def test_the_stored_fingerprint_is_read_and_recomputes_the_same():
    recorded = fingerprint.Fingerprint.from_dict(_load("fingerprint.json"))
    metrics = {a.name.removeprefix("metric:"): a.value for a in recorded.artifacts if a.kind == fingerprint.METRIC}
    again = fingerprint.compute(fingerprint.output_files(STORED / "outputs"), metrics, recorded.algorithm)
    assert recorded.algorithm == 1 and again.digest == recorded.digest
    assert [a.to_dict() for a in again.artifacts] == [a.to_dict() for a in recorded.artifacts]


def test_the_stored_sysinfo_record_validates_and_its_environment_key_recomputes():
    record = _load("sysinfo.json")
    assert schema.validate(schema.upgrade(record)) == []
    stored = record["environment_key"]
    assert stored["version"] == 1
    assert key.environment_key(record, stored["version"]) == stored
    assert key.environment_key(record)["key"] != stored["key"]  # this version's key is another one


def test_the_stored_contract_record_names_every_contract_variable():
    from mlfcore.entrypoint import contract

    stored = json.dumps(_load("contract.json"))
    # Entries added since 0.1.0 cannot be in its record; every other one must still be named the same.
    added = {"OPENBLAS_CORETYPE"}
    assert all(name in stored for name in contract.NAMES if name.isupper() and name not in added)
    assert not any(name in stored for name in added)
