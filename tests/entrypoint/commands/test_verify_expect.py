"""`mlf verify --expect` and `[tool.mlf] expect`, with real trainings of the tiny NumPy project: a match exits 0
(one run is enough), a mismatch exits 1 and explains itself against the run that recorded the value."""

import json

import pytest

from mlfcore.entrypoint.train.fingerprint import ALGORITHM

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment, make_project


@pytest.fixture
def tiny(tmp_path, store_template):  # noqa: F811
    return make_project(tmp_path / "tiny", store_template)


def trained(project, *args) -> dict:
    result = mlf("train", str(project), "--json", *args, env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def verify(project, *args):
    return mlf("verify", str(project), "--json", *args, env=environment())


def commit(project, value: str) -> None:
    (project / "pyproject.toml").write_text(f'[tool.mlf]\nexpect = "{value}"\n')


def test_the_committed_value_is_proven_by_one_run_from_the_flag_or_the_project_file(tiny):
    value = f"v{ALGORITHM}:{trained(tiny)['fingerprint']}"
    result = verify(tiny, "--runs", "1", "--expect", value)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"as expected: {value} is the value of --expect" in result.stderr
    commit(tiny, value)
    result = verify(tiny, "--runs", "1", "--seed", "0")  # the project's own seed: still its default run
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["matches_expected"] is True and report["expected"] == value
    assert report["expected_from"] == f"{tiny / 'pyproject.toml'}: [tool.mlf] expect"


def test_a_mismatch_shows_the_difference_to_the_run_that_recorded_the_value(tiny):
    recorded = trained(tiny, "--seed", "1")  # the seed enters the environment key and the bits
    result = verify(tiny, "--runs", "1", "--expect", f"v{ALGORITHM}:{recorded['fingerprint']}")
    assert result.returncode == 1, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["identical"] is True and report["matches_expected"] is False
    assert report["expected_recorded_by"] == recorded["run_id"]
    assert f"NOT the expected bits: the runs gave v{ALGORITHM}:{report['runs'][0]['fingerprint']}" in result.stderr
    assert f"against run {recorded['run_id']}, which recorded it: " in result.stderr
    assert "the recorded run had mlf.seed=1 (here 0)" in result.stderr
    assert "environment keys differ" in result.stderr and "│ seed" in result.stderr  # the sysinfo diff table
    # The first differing artifact, from the recorded run's logged outputs (files sort before metrics).
    assert "which recorded it: metrics.json: the file's content differs (and 2 more differing artifacts)" in \
        " ".join(result.stderr.split())


def test_a_mismatch_without_the_recording_run_in_the_store_says_so(tiny):
    result = verify(tiny, "--runs", "1", "--expect", f"v{ALGORITHM}:" + "0" * 64)
    assert result.returncode == 1, result.stderr[-3000:]
    assert json.loads(result.stdout)["expected_recorded_by"] is None
    assert "the store holds no run with the expected fingerprint" in result.stderr


def test_the_committed_value_is_not_compared_when_the_command_line_trains_something_else(tiny):
    commit(tiny, f"v{ALGORITHM}:" + "0" * 64)  # a value this project never gives
    result = verify(tiny, "-P", "epochs=3", "--threads", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "is not compared: it is the fingerprint of the project's default run, and this command changes -P " \
           "parameters, --threads" in " ".join(result.stderr.split())
    report = json.loads(result.stdout)
    assert report["expected"] is None
    # What to use instead: --expect with the same options (the committed key is for the default run).
    assert f"mlf verify --expect v{ALGORITHM}:{report['runs'][0]['fingerprint']}, with the same options" in result.stderr
    unchanged = verify(tiny, "--runs", "1")  # and the default run is compared: the wrong value fails
    assert unchanged.returncode == 1, unchanged.stderr[-3000:]
