"""The three renderings: JSON in the issue's shape, SARIF 2.1.0 as code scanning reads it, and text."""

from __future__ import annotations

import json

from mlfcore.entrypoint.lint.model import SARIF_LEVELS

SOURCE = ("import torch\nimport torch.nn.functional as F\n"
          "y = F.interpolate(x, mode=mode)\n"
          "c = torch.bincount(x, w)\n"
          "conv = torch.nn.Conv2d(1, 2, 3)\n")


def test_json_shape(lint):
    data = json.loads(lint(SOURCE).to_json())
    assert {"findings", "files", "lines"} <= set(data)
    assert data["files"] == 1 and data["lines"] == 5
    for finding in data["findings"]:
        assert set(finding) == {"path", "line", "col", "rule", "severity", "symbol", "message", "fix", "device"}
    assert [(f["rule"], f["severity"], f["line"], f["col"]) for f in data["findings"]] == [
        ("torch-interpolate", "warning", 3, 5), ("torch-bincount", "error", 4, 5), ("torch-conv", "info", 5, 8)]
    assert data["findings"][1]["symbol"] == "torch.bincount"


def test_sarif_structure(lint):
    report = lint(SOURCE)
    sarif = report.to_sarif("1.2.3")
    json.dumps(sarif)  # serialisable
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mlf lint" and driver["version"] == "1.2.3"
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids)) and "torch-bincount" in ids
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["defaultConfiguration"]["level"] in ("error", "warning",
                                                                                                "note")
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings):
        assert result["ruleId"] == finding.rule == ids[result["ruleIndex"]]
        assert result["level"] == SARIF_LEVELS[finding.severity]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "snippet.py", "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {"startLine": finding.line, "startColumn": finding.col}
        assert finding.fix in result["message"]["text"]


def test_text_shows_where_the_code_why_and_the_fix(lint):
    text = lint(SOURCE).render_text()
    assert "snippet.py:4:5 torch-bincount error: `torch.bincount` bincount with weights" in text
    assert "  4 | c = torch.bincount(x, w)\n" in text
    assert "    |     ^\n" in text
    assert "  fix: Use torch.zeros(n).index_add_" in text
    assert "snippet.py:5:8 torch-conv info:" in text
    assert text.rstrip().endswith("1 error, 1 warning, 1 info")
    # errors come first
    assert text.index("torch-bincount error") < text.index("torch-interpolate warning") < text.index("torch-conv")


def test_exit_codes(lint):
    assert lint(SOURCE).exit_code() == 1
    warning_only = lint("import torch.nn.functional as F\nF.interpolate(x, mode=mode)\n")
    assert warning_only.exit_code() == 0 and warning_only.exit_code(strict=True) == 1
    assert lint("import torch\nnn = torch.nn.Conv2d(1, 2, 3)\n").exit_code(strict=True) == 0
