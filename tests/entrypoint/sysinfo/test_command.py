"""`mlf sysinfo` as a real process: formats, --key, --output, --diff and exit codes.

(Here rather than in tests/entrypoint/commands/: the command and its library are one piece of work.)
"""

from __future__ import annotations

import json
import subprocess
import sys

import yaml

from mlfcore.entrypoint import sysinfo

from ..conftest import clean_environment, mlf


def _record(*args: str) -> dict:
    result = mlf("sysinfo", "--fast", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_is_a_valid_record(project):
    record = _record("-C", str(project), "--threads", "3", "--seed", "5")
    assert sysinfo.validate(record) == []
    assert (record["contract"]["threads"], record["contract"]["seed"]) == (3, 5)
    assert record["collected"]["fast"] is True
    assert record["project"]["commit"] is None and record["project"]["reason"]


def test_yaml_says_the_same(project):
    result = mlf("sysinfo", "--fast", "-f", "yaml", "-C", str(project))
    assert result.returncode == 0, result.stderr
    record = yaml.safe_load(result.stdout)
    assert record["schema_version"] == sysinfo.SCHEMA_VERSION and len(record["environment_key"]["key"]) == 64


def test_table_for_people(project):
    result = mlf("sysinfo", "--fast", "-C", str(project), env=clean_environment(NO_COLOR="1", COLUMNS="200"))
    assert result.returncode == 0, result.stderr
    for words in ("environment key", "dispatch", "cgroup CPU quota", "libc", "gpu"):
        assert words in result.stdout


def test_key_alone(project):
    result = mlf("sysinfo", "--key", "-C", str(project))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 64 and int(result.stdout, 16) >= 0
    as_json = json.loads(mlf("sysinfo", "--key", "-f", "json", "-C", str(project)).stdout)
    assert as_json["key"] == result.stdout.strip() and "threads" in as_json["fields"]
    assert mlf("sysinfo", "--key", "--threads", "4", "-C", str(project)).stdout != result.stdout


def test_output_writes_the_file_and_nothing_on_stdout(project, tmp_path):
    target = tmp_path / "record.json"
    result = mlf("sysinfo", "--fast", "-f", "json", "-o", str(target), "-C", str(project))
    assert result.returncode == 0 and result.stdout == ""
    assert sysinfo.load(target)["schema_version"] == sysinfo.SCHEMA_VERSION
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "record.json"]  # no temporary file left


def test_output_into_a_missing_folder_exits_2_and_writes_nothing(project, tmp_path):
    result = mlf("sysinfo", "--fast", "-f", "json", "-o", str(tmp_path / "nope" / "r.json"), "-C", str(project))
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "nope").exists()


def test_diff_of_identical_records_exits_0(project, tmp_path):
    first = tmp_path / "a.json"
    first.write_text(json.dumps(_record("-C", str(project))))
    result = mlf("sysinfo", "--diff", str(first), str(first), "-f", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"same_key": True, "differences": []}


def test_diff_of_different_settings_exits_1_most_important_first(project, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(_record("-C", str(project))))
    second.write_text(json.dumps(_record("-C", str(project), "--threads", "4", "--seed", "9")))
    result = mlf("sysinfo", "--diff", str(first), str(second), "-f", "json")
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    assert payload["same_key"] is False
    assert [e["field"] for e in payload["differences"]][:2] == ["seed", "threads"]
    table = mlf("sysinfo", "--diff", str(first), str(second), env=clean_environment(NO_COLOR="1", COLUMNS="200"))
    assert table.returncode == 1 and "environment keys differ" in table.stdout and "seed" in table.stdout


def test_diff_of_an_unreadable_or_invalid_file_exits_2(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_record()))
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    missing = mlf("sysinfo", "--diff", str(good), str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    invalid = mlf("sysinfo", "--diff", str(bad), str(good))
    assert invalid.returncode == 2 and "is not JSON" in invalid.stderr


def test_diff_takes_neither_key_nor_fast(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("{}")
    result = mlf("sysinfo", "--diff", str(path), str(path), "--key")
    assert result.returncode == 2 and "--diff compares two records" in result.stderr


def test_a_bad_format_exits_2():
    assert mlf("sysinfo", "--format", "xml").returncode == 2


def test_mlf_start_up_loads_no_system_library():
    code = ("import sys; import mlfcore.entrypoint.cli; "
            "print([m for m in ('psutil', 'cpuinfo', 'pynvml', 'yaml', 'mlfcore.entrypoint.sysinfo') "
            "if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
