"""`mlf lint` as a user meets it: a real process; exit codes 0 / 1 / 2 and the three formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import mlf

ERROR = "import torch\ntorch.bincount(x, w)\n"
WARNING = "import torch.nn.functional as F\nF.interpolate(x, mode=mode)\n"
CLEAN = "import torch\ntorch.bincount(x)\n"


def write(folder: Path, **files: str) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_exit_0_1_and_strict(project):
    write(project, **{"clean.py": CLEAN})
    assert mlf("lint", cwd=project).returncode == 0
    write(project, **{"warn.py": WARNING})
    assert mlf("lint", cwd=project).returncode == 0
    assert mlf("lint", "--strict", cwd=project).returncode == 1
    write(project, **{"bad.py": ERROR})
    result = mlf("lint", cwd=project)
    assert result.returncode == 1
    assert "bad.py:2:1 torch-bincount error" in result.stdout
    assert "1 error, 1 warning" in result.stdout


def test_paths_select_ignore(project):
    write(project, **{"a.py": ERROR, "b/c.py": WARNING})
    assert mlf("lint", "b", cwd=project).returncode == 0
    assert mlf("lint", "a.py", "--ignore", "torch-bincount", cwd=project).returncode == 0
    assert mlf("lint", "--select", "contract,tf", cwd=project).returncode == 0
    assert mlf("lint", "--select", "torch", cwd=project).returncode == 1


@pytest.mark.parametrize("args, message", [
    (["--select", "torch-bincont"], "unknown rule 'torch-bincont'"),
    (["--ignore", "nope"], "unknown rule 'nope'"),
    (["missing.py"], "no such file or folder: missing.py"),
    (["--format", "xml"], "'xml' is not one of"),
    (["--torch-version", "1.6"], "no torch rule table for version '1.6'"),
])
def test_bad_usage_is_exit_2(project, args, message):
    write(project, **{"a.py": ERROR})
    result = mlf("lint", *args, cwd=project)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_json_and_sarif_on_stdout(project):
    write(project, **{"a.py": ERROR})
    data = json.loads(mlf("lint", "--format", "json", cwd=project).stdout)
    assert data["files"] == 1 and data["lines"] == 2 and data["findings"][0]["rule"] == "torch-bincount"
    sarif = json.loads(mlf("lint", "--format", "sarif", cwd=project).stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a.py"


def test_project_configuration(project):
    write(project, **{"a.py": ERROR, "gen/b.py": ERROR,
                      "pyproject.toml": '[tool.mlf.lint]\nexclude = ["gen"]\nignore = ["torch-bincount"]\n'})
    assert mlf("lint", cwd=project).returncode == 0
    write(project, **{"pyproject.toml": '[tool.mlf.lint]\nexclude = ["gen"]\n'})
    result = mlf("lint", "--format", "json", cwd=project)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["a.py"]
    write(project, **{"pyproject.toml": '[tool.mlf.lint]\nexlude = ["gen"]\n'})
    result = mlf("lint", cwd=project)
    # The full message ("... in [tool.mlf.lint]") is checked in test_config.py: console.error renders rich markup,
    # which swallows the bracketed table name on the terminal.
    assert result.returncode == 2 and "unknown key 'exlude'" in result.stderr


def test_list_rules(project):
    result = mlf("lint", "--list-rules", cwd=project)
    assert result.returncode == 0
    assert "torch-bincount" in result.stdout and "xgb-gblinear-shotgun" in result.stdout
    assert "torch 2.13" in result.stdout


def test_device_narrows_cuda_only_errors(project):
    write(project, **{"train.py": ERROR})  # bincount with weights raises on CUDA only
    assert mlf("lint", cwd=project).returncode == 1  # --device any: full level
    assert mlf("lint", "--device", "cuda", cwd=project).returncode == 1
    result = mlf("lint", "--device", "cpu", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["severity"] == "info" and finding["device"] == "cuda" and "CUDA only" in finding["message"]
    bad = mlf("lint", "--device", "tpu", cwd=project)
    assert bad.returncode == 2 and "tpu" in bad.stderr


def test_an_mlproject_mlflow_run_cannot_fill_is_named_with_the_fix_and_changes_no_exit_code(project):
    mlproject = "entry_points:\n  main:\n    command: 'python t.py --out {output_dir}'\n"
    write(project, **{"clean.py": CLEAN, "MLproject": mlproject})
    result = mlf("lint", "--strict", "--format", "json", cwd=project)
    assert result.returncode == 0 and json.loads(result.stdout)["findings"] == []  # stdout: data alone
    assert "uses {output_dir}, which `mlflow run` cannot fill" in result.stderr
    assert "`output_dir: {type: string, default: outputs}`" in result.stderr
    fixed = mlproject.replace("    command:", "    parameters: {output_dir: {type: string, default: outputs}}\n"
                                             "    command:")
    write(project, MLproject=fixed)
    assert "mlflow run" not in mlf("lint", cwd=project).stderr
    write(project, MLproject="entry_points: [")  # not loadable: `mlf train` says why, lint stays on the code
    assert mlf("lint", cwd=project).returncode == 0
