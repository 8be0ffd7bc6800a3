"""Named data roots: data outside the project, hashed and recorded by root name, moved per host, and a re-run that
reads other data is stopped before it trains."""

from __future__ import annotations

import json
import shutil

import pytest

from mlfcore.entrypoint.config import load
from mlfcore.entrypoint.errors import ConfigError, UsageError
from mlfcore.entrypoint.train import dataroots, datahash

from ..conftest import mlf
from ..reliability import note
from .projects import environment, runs, script_project

# Reads the shared data through the root's folder on this host, as a training would.
READER = '''import hashlib, os, pathlib
root = pathlib.Path(os.environ.get("MLF_DATA_ROOT_ATLAS") or "{atlas}")
digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(root.rglob("*.txt")))).hexdigest()
pathlib.Path(os.environ["MLF_OUTPUT_DIR"], "model.txt").write_text(digest)
'''


def shared_data(folder):
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "a.txt").write_text("a")
    (folder / "images" / "b.txt").write_text("b")
    return folder


def project_with_root(tmp_path, atlas, store_template=None):
    extra = f'data = ["labels.csv", "atlas:images"]\n[tool.mlf.data_roots]\natlas = "{atlas}"'
    folder = script_project(tmp_path / "p", READER.format(atlas=atlas), store_template, extra=extra)
    (folder / "labels.csv").write_text("x,y\n")
    return folder


def test_files_under_a_root_are_named_by_the_root_not_the_host_path(tmp_path):
    atlas = shared_data(tmp_path / "atlas")
    folder = project_with_root(tmp_path, atlas)
    roots = dataroots.resolve(load(folder), {})
    first = datahash.hash_data(folder, ["labels.csv", "atlas:images"], roots=roots)
    assert list(first.files) == ["atlas:images/a.txt", "atlas:images/b.txt", "labels.csv"]
    assert first.to_dict()["roots"] == {"atlas": str(atlas)}
    # Another host keeps the same data elsewhere: the same names, the same tree hash.
    moved = shutil.copytree(atlas, tmp_path / "mnt" / "atlas")
    elsewhere = dataroots.resolve(load(folder), {"MLF_DATA_ROOT_ATLAS": str(moved)})
    second = datahash.hash_data(folder, ["labels.csv", "atlas:images"], roots=elsewhere)
    assert second.tree == first.tree and second.files == first.files
    (moved / "images" / "b.txt").write_text("B")
    third = datahash.hash_data(folder, ["labels.csv", "atlas:images"], roots=elsewhere)
    assert third.tree != first.tree
    assert dataroots.differences(first.files, third.files) == ["1 file(s) differ: atlas:images/b.txt"]


def test_bad_roots_are_refused_with_what_to_do(tmp_path):
    folder = project_with_root(tmp_path, tmp_path / "nowhere")
    roots = dataroots.resolve(load(folder), {})
    with pytest.raises(UsageError, match="MLF_DATA_ROOT_ATLAS"):
        datahash.hash_data(folder, ["atlas:images"], roots=roots)
    with pytest.raises(UsageError, match="names the data root 'atlsa', which is not declared"):
        datahash.hash_data(folder, ["atlsa:images"], roots=roots)
    (folder / "pyproject.toml").write_text('[tool.mlf.data_roots]\natlas = "relative/path"\n')
    with pytest.raises(ConfigError, match="must be an absolute path"):
        dataroots.resolve(load(folder), {})
    note("bad input", "a data root that is missing on this host, undeclared, or relative",
         "exit 2 naming the root and MLF_DATA_ROOT_<NAME>")


def test_reproduce_maps_the_root_by_name_and_stops_when_its_content_differs(tmp_path, store_template):
    atlas = shared_data(tmp_path / "atlas")
    folder = project_with_root(tmp_path, atlas, store_template)
    done = mlf("train", str(folder), "--no-lint", "--format", "json", env=environment())
    assert done.returncode == 0, done.stderr[-3000:]
    run_id = json.loads(done.stdout)["run_id"]
    recorded = json.loads((folder / "mlruns").glob(f"*/{run_id}/artifacts/mlf/data.json").__next__().read_text())
    assert "atlas:images/a.txt" in recorded["files"] and recorded["roots"] == {"atlas": str(atlas)}
    # This "host" has the data at another path: the root is mapped by name, and the run reproduces.
    moved = shutil.copytree(atlas, tmp_path / "mnt" / "atlas")
    env = environment(MLF_DATA_ROOT_ATLAS=str(moved))
    again = mlf("reproduce", run_id, "-C", str(folder), "--format", "json", env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["identical"] is True
    # Different content under the same name: stopped before training, the file and both places named.
    (moved / "images" / "b.txt").write_text("changed")
    before = len(runs(folder))
    stopped = mlf("reproduce", run_id, "-C", str(folder), env=env)
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    assert "the data differ from the recorded run's: 1 file(s) differ: atlas:images/b.txt" in stopped.stderr
    assert f"data root 'atlas' is {moved} here, {atlas} in the recorded run" in stopped.stderr
    assert len(runs(folder)) == before  # no run was started
    note("bad input", "mlf reproduce where a data root holds other content", "exit 1 before training, the "
                                                                             "differing files and the root's two "
                                                                             "places named")
