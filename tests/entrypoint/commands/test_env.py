"""`mlf env`: the contract as data and as a table."""

import json

from mlfcore.entrypoint import contract

from ..conftest import clean_environment, mlf


def test_json_lists_every_contract_entry_with_its_value_here():
    result = mlf("env", "--format", "json", "--threads", "3")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [row["name"] for row in payload["entries"]] == list(contract.NAMES)
    rows = {row["name"]: row for row in payload["entries"]}
    assert rows["OMP_NUM_THREADS"]["required"] == "3" and payload["settings"]["threads"] == 3


def test_json_shows_what_the_environment_says():
    payload = json.loads(mlf("env", "-f", "json", env=clean_environment(OMP_NUM_THREADS="5")).stdout)
    row = next(r for r in payload["entries"] if r["name"] == "OMP_NUM_THREADS")
    assert (row["current"], row["status"]) == ("5", "conflict")


def test_table_names_the_entries():
    result = mlf("env", env=clean_environment(NO_COLOR="1", COLUMNS="200"))
    assert result.returncode == 0
    assert "CUBLAS_WORKSPACE_CONFIG" in result.stdout and ":4096:8" in result.stdout


def test_a_bad_format_exits_2():
    assert mlf("env", "--format", "xml").returncode == 2
