"""`mlf run` lints what the command imports first: error-level findings there stop it before the child starts;
--no-lint runs it; the report goes into the --record file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..conftest import mlf

PY = sys.executable


def child(marker: Path, imports: str = "train") -> list[str]:
    # The import is read by the gate (it follows imports syntactically) but never executed: the child stays fast.
    return [PY, "-c", f"if False:\n    import {imports}\nopen({str(marker)!r}, 'w').write('ran')"]


def test_error_level_finding_stops_the_run(project, tmp_path):
    (project / "train.py").write_text("import torch\ntorch.use_deterministic_algorithms(False)\n")
    marker, record = tmp_path / "ran", tmp_path / "record.json"
    result = mlf("run", "--project", str(project), "--record", str(record), "--", *child(marker))
    assert result.returncode == 1, result.stderr
    assert not marker.exists()
    assert "train.py:2:1 contract-deterministic-algorithms-off error" in result.stderr
    assert "--no-lint" in result.stderr
    saved = json.loads(record.read_text())
    assert saved["exit_code"] == 1 and saved["lint"]["findings"][0]["rule"] == "contract-deterministic-algorithms-off"


def test_no_lint_runs_it(project, tmp_path):
    (project / "train.py").write_text("import torch\ntorch.use_deterministic_algorithms(False)\n")
    marker, record = tmp_path / "ran", tmp_path / "record.json"
    result = mlf("run", "--project", str(project), "--no-lint", "--record", str(record), "--", *child(marker))
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "ran"
    assert json.loads(record.read_text())["lint"] is None


def test_clean_project_runs_and_keeps_the_report(project, tmp_path):
    (project / "train.py").write_text("import torch\ntorch.use_deterministic_algorithms(True)\n"
                                      "conv = torch.nn.Conv2d(1, 2, 3)\n")
    marker, record = tmp_path / "ran", tmp_path / "record.json"
    result = mlf("run", "--project", str(project), "--record", str(record), "--", *child(marker))
    assert result.returncode == 0, result.stderr
    assert marker.exists()
    lint = json.loads(record.read_text())["lint"]
    assert lint["files"] == 1 and [f["rule"] for f in lint["findings"]] == ["torch-conv"]


def test_suppressed_finding_does_not_stop_the_run(project, tmp_path):
    (project / "train.py").write_text("import torch\n"
                                      "torch.use_deterministic_algorithms(False)  # mlf: ignore\n")
    marker = tmp_path / "ran"
    assert mlf("run", "--project", str(project), "--", *child(marker)).returncode == 0
    assert marker.exists()


def test_lint_library_entry_point(project):
    from mlfcore.entrypoint.lint import lint_project

    (project / "train.py").write_text("import torch\ntorch.bincount(x, w)\n")
    (project / "pyproject.toml").write_text('[tool.mlf.lint]\nignore = ["contract"]\n')
    report = lint_project(project)
    assert report.has_errors and report.to_dict()["findings"][0]["path"] == "train.py"
    assert "train.py:2:1 torch-bincount error" in report.render_text()
