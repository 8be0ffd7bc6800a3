"""Bad input to `mlf train`: a clear message, exit 2, and nothing logged as a successful run."""

import pytest

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment, make_project, runs


@pytest.fixture
def tiny(tmp_path, store_template):  # noqa: F811
    return make_project(tmp_path / "tiny", store_template)


def refused(project, *args, env=None, message):
    result = mlf("train", str(project), *args, env=env or environment())
    assert result.returncode == 2, result.stderr[-3000:]
    assert message in result.stderr
    assert "training " not in result.stderr  # the child never started
    return result


def test_missing_project_directory(tmp_path):
    refused(tmp_path / "nope", message="does not exist")


def test_malformed_mlproject(tiny):
    (tiny / "MLproject").write_text("entry_points: {main: [")
    refused(tiny, message="not valid YAML")
    assert runs(tiny) == []


@pytest.mark.parametrize("args, message", [
    (("-P", "batch=3"), "unknown parameter 'batch'"),
    (("-P", "epochs=three"), "parameter 'epochs' must be of type int, got 'three'"),
    (("-P", "epochs"), "is not key=value"),
    (("-e", "evaluate"), "no entry point 'evaluate'"),
])
def test_bad_parameters(tiny, args, message):
    refused(tiny, *args, message=message)
    assert runs(tiny) == []


def test_unwritable_tracking_store_fails_before_training(tiny, tmp_path):
    (tmp_path / "a-file").write_text("")
    uri = f"sqlite:///{tmp_path}/a-file/mlflow.db"
    refused(tiny, env=environment(MLFLOW_TRACKING_URI=uri), message="the MLflow tracking store is not writable")
    assert not (tiny / "outputs").exists()


def test_read_only_project_fails_before_training(tiny):
    """Root writes to folders without write permission, so as root (CI) the project is a read-only bind mount,
    which refuses root too; otherwise its mode."""
    import os
    import subprocess

    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", "-o", "ro", str(tiny), str(tiny)], check=True)
    else:
        os.chmod(tiny, 0o555)
    try:
        refused(tiny, message="the MLflow tracking store is not writable: cannot create files in")
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(tiny)], check=True)
        else:
            os.chmod(tiny, 0o755)


def test_missing_declared_data(tiny):
    (tiny / "pyproject.toml").write_text('[tool.mlf]\ndata = ["data/train.csv"]\n')
    refused(tiny, message="'data/train.csv' does not exist")
    assert runs(tiny) == []


def test_bad_train_table(tiny):
    (tiny / "MLproject").unlink()
    (tiny / "pyproject.toml").write_text('[tool.mlf.train]\ncommand = "python t.py {nope}"\n')
    refused(tiny, message="uses {nope}, which is no parameter")


def test_the_pre_run_lint_stops_non_deterministic_code_before_training(tiny):
    (tiny / "setup_torch.py").write_text("import torch\ntorch.use_deterministic_algorithms(False)\n")
    # The pre-run gate lints what the command imports: train.py imports it (read, never run).
    (tiny / "train.py").write_text("if False:\n    import setup_torch\n" + (tiny / "train.py").read_text())
    result = mlf("train", str(tiny), env=environment())
    assert result.returncode == 1, result.stderr[-3000:]
    assert "at error level" in result.stderr and "contract-deterministic-algorithms-off" in result.stderr
    assert "# mlf: ignore[RULE]" in result.stderr and "--no-lint" in result.stderr
    assert runs(tiny) == [] and "training " not in result.stderr


def test_no_lint_trains_past_the_lint_and_records_that_it_was_skipped(tiny):
    (tiny / "setup_torch.py").write_text("import torch\ntorch.use_deterministic_algorithms(False)\n")
    result = mlf("train", str(tiny), "--no-lint", env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    assert [r.data.tags["mlf.lint_errors"] for r in runs(tiny)] == ["skipped"]


@pytest.mark.parametrize("command, message", [
    ("nonexistent_prog_xyz --out {output_dir}", "command not found: nonexistent_prog_xyz"),
    ("./not_here.sh {output_dir}", "command not found: ./not_here.sh"),
    ("''", "is empty"),
])
def test_a_training_command_that_names_no_program_leaves_no_run(tiny, command, message):
    (tiny / "MLproject").unlink()
    (tiny / "pyproject.toml").write_text(f'[tool.mlf.train]\ncommand = "{command}"\n')
    refused(tiny, message=message)
    assert runs(tiny) == []
    assert not (tiny / "outputs").exists() and not (tiny / "mlruns").exists()


@pytest.mark.parametrize("command, args, suggestion", [
    ("train", ["--epochs", "3"], "-P epochs=3"),
    ("verify", ["--epochs=3"], "-P epochs=3"),
    ("train", ["--nprc", "2"], "Did you mean --nproc? An entry point parameter is given with -P: -P nprc=2"),
    ("reproduce", ["0123456789abcdef", "--epochs", "3"], "mlf train -P epochs=3"),
])
def test_an_unknown_option_points_to_p(tmp_path, command, args, suggestion):
    # click alone offered its nearest option names ("Possible options: --nproc"), which point the wrong way.
    result = mlf(command, *args, cwd=tmp_path, env=environment())
    assert result.returncode == 2, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: No such option: --") and suggestion in error and "Possible" not in error, error
