"""Every bad input a hostile user tried: exit 2, one line saying what is wrong (and a hint), nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..conftest import mlf
from ..reliability import note
from ..train.projects import environment

MLPROJECT = "entry_points:\n  main:\n    parameters: {lr: float}\n    command: python -c pass {lr}\n"
OFF = "import torch\ntorch.use_deterministic_algorithms(False)\n"


def _files(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


# (case, files to create {name: text, or None for a folder}, argv, environment extra, words the error must contain)
CASES = [
    ("`tool = 3` in pyproject.toml", {"pyproject.toml": "tool = 3\n"}, ["env"], {}, "`tool` must be a table"),
    ("pyproject.toml is a folder", {"pyproject.toml": None}, ["env"], {}, "cannot be read"),
    ("pyproject.toml is not UTF-8", {"pyproject.toml": b"[tool.mlf]\nseed = 1 # \xff\n"}, ["env"], {},
     "not valid TOML"),
    ("MLproject is a folder", {"MLproject": None}, ["train", "."], {}, "is not a file"),
    ("MLproject is not UTF-8", {"MLproject": b"name: \xff\n"}, ["train", "."], {}, "not valid YAML"),
    ("`-P lr=inf`", {"MLproject": MLPROJECT}, ["train", ".", "-P", "lr=inf"], {}, "must be of type float"),
    ("`-P lr=-inf`", {"MLproject": MLPROJECT}, ["train", ".", "-P", "lr=-inf"], {}, "must be of type float"),
    ("`-P lr=nan`", {"MLproject": MLPROJECT}, ["train", ".", "-P", "lr=nan"], {}, "must be of type float"),
    ("`--threads 10**11`", {}, ["run", "--threads", str(10**11), "--", "true"], {}, "--threads"),
    ("`MLF_THREADS=5000`", {}, ["run", "--", "true"], {"MLF_THREADS": "5000"}, "threads must be an integer"),
    ("`env --project /nonexistent`", {}, ["env", "--project", "/nonexistent"], {}, "does not exist"),
    ("`sysinfo --project /nonexistent`", {}, ["sysinfo", "--fast", "--project", "/nonexistent"], {},
     "does not exist"),
    ("`lint --select ''`", {"a.py": OFF}, ["lint", "--select", ""], {}, "--select names no rule"),
    ("`lint --ignore ','`", {"a.py": OFF}, ["lint", "--ignore", ","], {}, "--ignore names no rule"),
    ("`lint ''`", {"a.py": OFF}, ["lint", ""], {}, "an empty path"),
    ("`reproduce` where no store exists", {}, ["reproduce", "0123abcd"], {}, "no tracking store"),
    ("mlflow.db is a folder", {"MLproject": MLPROJECT, "mlflow.db": None}, ["train", ".", "-P", "lr=1"], {},
     "is a folder"),
    ("mlflow.db is not a database", {"MLproject": MLPROJECT, "mlflow.db": "junk"}, ["train", ".", "-P", "lr=1"],
     {}, "not an SQLite database"),
    ("outputs is a file", {"MLproject": MLPROJECT, "outputs": ""}, ["train", ".", "-P", "lr=1", "--no-lint"], {},
     "cannot take this run's outputs"),
    ("`verify --expect` without an algorithm version", {"MLproject": MLPROJECT},
     ["verify", ".", "--expect", "10a9b8eb597a"], {}, "names no fingerprint algorithm version"),
    ("`verify --expect` shortened", {"MLproject": MLPROJECT}, ["verify", ".", "--expect", "v2:10a9b8eb597a"], {},
     "the digest has 12 hex digits, a fingerprint has 64"),
    ("`verify --expect` of an earlier algorithm version", {"MLproject": MLPROJECT},
     ["verify", ".", "--expect", "v1:" + "a" * 64], {}, "recorded with fingerprint algorithm 1"),
    ("`verify --expect` of an unknown algorithm version", {"MLproject": MLPROJECT},
     ["verify", ".", "--expect", "v99:" + "a" * 64], {}, "names fingerprint algorithm 99, which this mlf does not"),
    ("`verify --expect` with `--allow-nondeterministic`", {"MLproject": MLPROJECT},
     ["verify", ".", "--expect", "v2:" + "a" * 64, "--allow-nondeterministic"], {}, "cannot be combined"),
    ("`[tool.mlf] expect` shortened", {"MLproject": MLPROJECT, "pyproject.toml": '[tool.mlf]\nexpect = "v2:ab"\n'},
     ["verify", "."], {}, "[tool.mlf] expect: the digest has 2 hex digits"),
    ("`verify --runs 1` without an expected fingerprint", {"MLproject": MLPROJECT}, ["verify", ".", "--runs", "1"], {},
     "--runs 1 compares nothing"),
]


@pytest.mark.parametrize("case, files, argv, extra, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, case, files, argv, extra, words):
    for name, content in files.items():
        path = tmp_path / name
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = _files(tmp_path)
    result = mlf(*argv, env=environment(**extra), cwd=tmp_path, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert words in result.stderr and "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.lower().startswith("error")]
    assert len(problems) == 1, result.stderr
    assert _files(tmp_path) == before, "a bad input left something behind"
    note("bad input", case, "exit 2, one line, nothing written")


def test_a_file_name_that_is_not_utf8_is_reported_in_sarif(tmp_path):
    name = os.fsdecode(b"bad\xff.py")
    (tmp_path / name).write_text(OFF)
    result = mlf("lint", "--format", "sarif", ".", cwd=tmp_path, env=environment())
    assert result.returncode == 1, result.stderr[-2000:]
    assert "bad%5Cxff.py" in result.stdout  # the escaped name, URI-quoted
    note("bad input", "a file name that is not UTF-8, `lint --format sarif`", "reported with the name escaped")
