"""The versioned schema: collect() conforms to it, load() reads records back and refuses what is not one."""

from __future__ import annotations

import copy
import json

import pytest

from mlfcore.entrypoint import sysinfo
from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.sysinfo import schema


def test_a_record_conforms(record):
    assert record["schema_version"] == sysinfo.SCHEMA_VERSION == 2
    assert sysinfo.validate(record) == []


def test_with_the_jsonschema_package_too(record):
    import jsonschema  # a test dependency (pyproject [test]): never a silent skip in CI

    jsonschema.validate(record, schema.schema())


def test_wrong_types_are_named(record):
    broken = copy.deepcopy(record)
    broken["contract"]["threads"] = "two"
    broken["environment_key"]["key"] = "xyz"
    del broken["gpu"]["devices"]
    broken["gpu"]["count"] = -1
    del broken["project"]
    problems = sysinfo.validate(broken)
    assert "record.contract.threads: expected integer, got str" in problems
    assert "record: missing 'project'" in problems
    assert any(p.startswith("record.environment_key.key: 'xyz' does not match") for p in problems)
    assert "record.gpu.count: -1 is below the minimum 0" in problems


def test_load_reads_a_written_record(record, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(record))
    assert sysinfo.load(path) == record


@pytest.mark.parametrize("content, words", [
    (None, "cannot read"),
    ("{not json", "is not JSON"),
    ("[1, 2]", "not an mlf sysinfo record"),
    ('{"hello": 1}', "not an mlf sysinfo record"),
    ('{"schema_version": "1"}', "schema_version must be a positive integer"),
    ('{"schema_version": 99}', "written by a newer mlfcore (schema 99)"),
    ('{"schema_version": 1}', "not a valid sysinfo record: record: missing 'mlfcore_version'"),
], ids=["missing", "not-json", "list", "no-version", "string-version", "newer", "incomplete"])
def test_load_refuses_with_a_usage_error(tmp_path, content, words):
    path = tmp_path / "x.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError) as caught:
        sysinfo.load(path)
    assert words in caught.value.message and caught.value.exit_code == 2


def test_version_1_records_are_upgraded(record, tmp_path):
    # A record as schema 1 wrote it: no image identity, no source hash.
    old = json.loads(json.dumps(record))
    old["schema_version"] = 1
    image = old["system"]["container"]["image"]
    for name in ("ref", "digest", "manifest", "derived", "parent", "differences", "packages_sha256",
                 "debian_sha256"):
        image.pop(name)
    old["project"].pop("source")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    assert schema.validate(old), "a version-1 record must not pass the version-2 schema as it is"
    loaded = schema.load(path)
    assert loaded["schema_version"] == 2 and loaded["project"]["source"] is None
    assert loaded["system"]["container"]["image"]["derived"] is None
    assert loaded["system"]["container"]["image"]["differences"] == []
