"""`mlf report` as a user meets it: a real process on a real store (conftest.py), the crate read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from ..reliability import note
from .conftest import report


def _left_beside(folder: Path) -> list[str]:
    """What a report left next to its folder (a staging folder that was not renamed or removed)."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def test_a_verified_and_reproduced_run_is_proven(single, recorded):
    assert single.returncode == 0, single.stderr[-3000:]
    (run,) = single.document["runs"]
    assert run["verdict"]["level"] == "proven", run["verdict"]
    assert run["verdict"]["headline"].startswith("reproduced bit for bit on 1 host, ")
    rows = {row["item"]: row for row in run["checklist"]}
    assert recorded.verified[1] in rows["Verify"]["evidence"] and rows["Verify"]["status"] == "ok"
    assert recorded.reproduction in rows["Reproduce"]["evidence"] and rows["Reproduce"]["status"] == "ok"
    assert rows["Data identity"]["record"] == f"runs/{run['run_id']}/mlf/data.json"
    assert rows["Seed protocol and contract"]["evidence"].startswith("seed 0 ")
    files = {entry["path"] for entry in single.document["files"]}
    assert {f"runs/{run['run_id']}/outputs/weight.npy", f"runs/{run['run_id']}/mlf/sysinfo.json",
            f"runs/{run['run_id']}/metrics.json", "summary.md"} <= files
    assert "proven" in single.stderr and single.stdout == ""  # --format html: nothing on stdout
    assert _left_beside(single.folder) == []


def test_the_markdown_summary_says_what_holds_against_a_run(recorded, tmp_path):
    result = report(recorded, recorded.other_seed, out=tmp_path / "md", args=("--format", "md"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("**Reproducibility** (mlfcore ")
    assert "not proven deterministic: the pre-run lint was skipped (--no-lint)" in result.stdout
    assert f"| `{recorded.other_seed}` |" in result.stdout
    assert (tmp_path / "md" / "summary.md").read_text() == result.stdout


def test_a_run_without_a_fingerprint_is_not_reproducible_and_exits_1(recorded, tmp_path):
    result = report(recorded, recorded.failed, out=tmp_path / "failed")
    assert result.returncode == 1, result.stderr[-3000:]
    page = (tmp_path / "failed" / "ro-crate-preview.html").read_text()
    assert "not reproducible: the training ended FAILED without a result fingerprint" in page
    assert "not reproducible" in result.stderr
    note("bad input", "`report` of a run without a fingerprint", "exit 1; the report says \"not reproducible\" and why")


def test_several_runs_are_grouped_and_their_differences_named(several, recorded):
    assert several.returncode == 0, several.stderr[-3000:]
    assert json.loads(several.stdout) == several.document  # --format json prints report.json
    first, second = recorded.verified
    assert several.document["groups"] == [[first, second], [recorded.other_seed]]
    assert several.document["plot_lines"] == [[first, second], [recorded.other_seed]]
    fields = {d["field"]: d for d in several.document["differences"]}
    assert fields["seed"]["in_key"] and (fields["seed"]["a_value"], fields["seed"]["b_value"]) == (0, 1)
    assert several.document["headline"] == "3 runs, 2 distinct results"


def test_an_unknown_run_is_bad_input_and_nothing_is_written(recorded, tmp_path):
    result = report(recorded, recorded.verified[0], "0123456789abcdef", out=tmp_path / "report")
    assert result.returncode == 2, result.stderr[-3000:]
    assert "no run '0123456789abcdef'" in result.stderr
    assert list(tmp_path.iterdir()) == []
    note("bad input", "`report` of an unknown run id (beside a known one)", "exit 2, nothing written")


def test_a_metric_no_run_logged_is_bad_input(recorded, tmp_path, monkeypatch):
    """In-process (the command's UsageError becomes exit 2 as for the unknown run above)."""
    from mlfcore.entrypoint.errors import UsageError
    from mlfcore.entrypoint.report.build import build
    from mlfcore.entrypoint.train import tracking

    monkeypatch.chdir(recorded.project)
    with pytest.raises(UsageError, match="no run logged the metric 'accuracy'") as raised:
        build(tracking.resolve(recorded.project, {}), [recorded.verified[0]], tmp_path / "report", metric="accuracy")
    assert raised.value.hint == "the runs logged: loss" and list(tmp_path.iterdir()) == []
    note("bad input", "`report --metric` that no run logged", "exit 2, nothing written")


def test_an_existing_folder_is_replaced_only_with_force_and_only_a_report(recorded, single, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    for args, words in (((), "exists already"), (("--force",), "is not a report that mlf wrote")):
        result = report(recorded, recorded.verified[0], out=mine, args=args)
        assert result.returncode == 2 and words in result.stderr, result.stderr[-2000:]
        assert [p.name for p in mine.iterdir()] == ["keep.txt"] and _left_beside(mine) == []
        note("bad input", f"`report -o` an existing folder that is no report, {'with' if args else 'without'} --force",
             "exit 2, the folder untouched")
    old = tmp_path / "old"
    shutil.copytree(single.folder, old)
    (old / "stale.txt").write_text("from the old report")
    result = report(recorded, recorded.other_seed, out=old, args=("--force",))
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (old / "stale.txt").exists() and _left_beside(old) == []
    assert [run["run_id"] for run in json.loads((old / "report.json").read_text())["runs"]] == [recorded.other_seed]



def test_docs_name_every_field_of_report_json(several):
    docs = (Path(__file__).resolve().parents[3] / "docs" / "cli.md").read_text(encoding="utf-8")
    section = docs.split("### `mlf report", 1)[1].split("\n### ", 1)[0]
    fields = [*several.document, *several.document["runs"][0], *several.document["runs"][0]["verdict"]]
    assert [name for name in fields if f"`{name}`" not in section] == []


def test_verify_and_reproduce_attached_the_report_to_their_runs(recorded, monkeypatch):
    monkeypatch.chdir(recorded.project)  # artifact locations are relative to the project
    client = MlflowClient(f"sqlite:///{recorded.project / 'mlflow.db'}")
    expected = {recorded.verified[0]: list(recorded.verified), recorded.verified[1]: list(recorded.verified),
                recorded.reproduction: [recorded.verified[0], recorded.reproduction]}
    for run_id, covered in expected.items():
        names = {a.path for a in client.list_artifacts(run_id, "report")}
        assert {"report/ro-crate-preview.html", "report/ro-crate-metadata.json", "report/report.json"} <= names
        document = json.loads(Path(client.download_artifacts(run_id, "report/report.json")).read_text())
        assert [run["run_id"] for run in document["runs"]] == covered
        assert not any("/outputs/" in entry["path"] for entry in document["files"])  # MLflow holds them already
