"""One store of real runs for every report test, made once per session (each `mlf train` costs ~5-10 s here), and
one browser for every page check.

The store holds: a verified pair (`mlf verify`: two identical runs, the report attached to both), a reproduction
of the first (`mlf reproduce`, its report attached), a run with another seed and --no-lint (another result, another
environment key; fingerprinted, not proven deterministic) and a training that failed (no fingerprint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment, runs
from .project import make_project


@dataclass(frozen=True)
class Recorded:
    project: Path
    verified: tuple[str, str]
    reproduction: str
    other_seed: str  # also trained with --no-lint
    failed: str


def _json(*args: str) -> dict:
    result = mlf(*args, env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def recorded(tmp_path_factory, store_template) -> Recorded:  # noqa: F811
    project = make_project(tmp_path_factory.mktemp("report") / "curves", store_template)
    verified = _json("verify", str(project), "--json")
    first, second = (run["run_id"] for run in verified["runs"])
    reproduced = _json("reproduce", first, "--project", str(project), "--json")
    other = _json("train", str(project), "--seed", "1", "--no-lint", "--json")
    failing = mlf("train", str(project), "-P", "fail=1", env=environment())
    assert failing.returncode == 3, failing.stderr[-3000:]
    failed = [run.info.run_id for run in runs(project) if run.info.status == "FAILED"]
    assert len(failed) == 1, failed
    return Recorded(project, (first, second), reproduced["run"]["run_id"], other["run_id"], failed[0])


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from ..browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def report(recorded: Recorded, *run_ids: str, out: Path, args: tuple[str, ...] = ()):
    """`mlf report RUN_IDS -o OUT` in the session's project, as a user runs it."""
    return mlf("report", *run_ids, "-o", str(out), "--project", str(recorded.project), *args, env=environment())


@dataclass(frozen=True)
class Written:
    folder: Path
    document: dict  # report.json
    returncode: int
    stdout: str
    stderr: str


def _written(recorded: Recorded, folder: Path, *run_ids: str, args: tuple[str, ...] = ()) -> Written:
    result = report(recorded, *run_ids, out=folder, args=args)
    document = json.loads((folder / "report.json").read_text()) if (folder / "report.json").is_file() else {}
    return Written(folder, document, result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def single(recorded, tmp_path_factory) -> Written:
    """The report of the first verified run (its pair and its reproduction prove it)."""
    return _written(recorded, tmp_path_factory.mktemp("single") / "report", recorded.verified[0])


@pytest.fixture(scope="session")
def several(recorded, tmp_path_factory) -> Written:
    """The verified pair and the run with another seed, side by side; report.json on stdout."""
    return _written(recorded, tmp_path_factory.mktemp("several") / "report", *recorded.verified,
                    recorded.other_seed, args=("--format", "json"))
