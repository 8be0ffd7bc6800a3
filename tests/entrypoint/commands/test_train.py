"""`mlf train` as a user meets it: a real process, a real child, the MLflow store read back with MLflow's client."""

import json

import pytest

from mlfcore.entrypoint.train import datacache
from mlfcore.entrypoint.train.fingerprint import ALGORITHM

from ..conftest import mlf
from ..train.conftest import store_template  # noqa: F401 — the fixture
from ..train.projects import environment, make_project, runs


@pytest.fixture
def tiny(tmp_path, store_template):  # noqa: F811
    return make_project(tmp_path / "tiny", store_template)


def train(project, *args, env=None, output=("--json",)):
    result = mlf("train", str(project), *output, *args, env=env or environment())
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_train_logs_params_tags_artifacts_and_the_fingerprint(tiny, monkeypatch):
    from mlflow.tracking import MlflowClient

    summary = train(tiny, "-P", "epochs=3")
    monkeypatch.chdir(tiny)  # artifact locations are relative to the project (a store written in a container)
    client = MlflowClient(f"sqlite:///{tiny / 'mlflow.db'}")
    run = client.get_run(summary["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params == {"mlf.param.epochs": "3", "mlf.param.noise": "none", "mlf.seed": "0",
                               "mlf.threads": "2", "mlf.portable": "true", "mlf.allow_nondeterministic": "false"}
    assert json.loads(run.data.tags["mlf.params"]) == {"epochs": "3", "noise": "none"}
    assert run.info.artifact_uri == f"mlruns/tiny/{run.info.run_id}/artifacts"
    tags = run.data.tags
    assert tags["mlf.fingerprint"] == summary["fingerprint"]
    assert tags["mlf.environment_key"] == summary["environment_key"]
    assert tags["mlf.source"] == "MLproject" and tags["mlf.nondeterministic"] == "false"
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "mlf")}
    assert logged == {"mlf/sysinfo.json", "mlf/lint.json", "mlf/contract.json", "mlf/fingerprint.json",
                      "mlf/params.json", "mlf/distributed.json"}
    sysinfo = json.loads((tiny / "mlruns" / "tiny" / run.info.run_id / "artifacts" / "mlf" / "sysinfo.json")
                         .read_text())
    assert sysinfo["environment_key"]["key"] == summary["environment_key"]
    assert {a.path for a in client.list_artifacts(run.info.run_id, "outputs/tensors")} == {
        "outputs/tensors/layer.bias.npy", "outputs/tensors/layer.weight.npy"}
    assert summary["outputs"] == str(tiny / "outputs" / run.info.run_id)


def test_an_mlproject_mlflow_cannot_run_trains_with_a_warning_and_declaring_output_dir_fixes_it(tiny):
    from mlflow.tracking import MlflowClient

    before = mlf("train", str(tiny), "--json", env=environment())
    assert before.returncode == 0, before.stderr[-3000:]
    assert "uses {output_dir}, which `mlflow run` cannot fill (KeyError: 'output_dir'): declare it" in before.stderr
    mlproject = tiny / "MLproject"
    mlproject.write_text(mlproject.read_text().replace(
        "      noise:", "      output_dir: {type: string, default: results}\n      noise:"))
    after = mlf("train", str(tiny), "--json", "-P", "epochs=3", env=environment())
    assert after.returncode == 0, after.stderr[-3000:]
    assert "mlflow run" not in after.stderr
    summary = json.loads(after.stdout)
    assert summary["outputs"] == str(tiny / "results" / summary["run_id"])  # the declared folder holds the runs
    assert summary["fingerprint"] != json.loads(before.stdout)["fingerprint"]  # 3 epochs, not 2
    params = MlflowClient(f"sqlite:///{tiny / 'mlflow.db'}").get_run(summary["run_id"]).data.params
    assert params["mlf.param.output_dir"] == "results" and params["mlf.param.epochs"] == "3"


def test_the_seed_reaches_the_training_and_decides_the_fingerprint(tiny):
    first, again = train(tiny), train(tiny)
    other = train(tiny, "--seed", "1", output=("--format", "json"))  # --json's new spelling
    assert {"run_id", "fingerprint", "environment_key"} <= set(other)
    assert first["fingerprint"] == again["fingerprint"] != other["fingerprint"]
    assert first["run_id"] != again["run_id"]


def test_verify_passes_for_a_deterministic_project(tiny):
    result = mlf("verify", str(tiny), "--runs", "3", env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    assert "3 runs gave bitwise identical results" in result.stderr
    assert f'commit them: [tool.mlf] expect = "v{ALGORITHM}:' in result.stderr  # the project's default run: its value to commit
    assert len({r.data.tags["mlf.verify"] for r in runs(tiny)}) == 1


def test_verify_fails_on_random_bytes_and_names_the_file(tiny):
    result = mlf("verify", str(tiny), "-P", "noise=urandom", env=environment())
    assert result.returncode == 1, result.stderr[-3000:]
    assert "first differing artifact: noise.bin: the file's content differs" in result.stderr


def test_verify_fails_on_an_unseeded_tensor_and_names_the_parameter(tiny):
    result = mlf("verify", str(tiny), "-P", "noise=tensor", "--json", env=environment())
    assert result.returncode == 1, result.stderr[-3000:]
    mismatch = json.loads(result.stdout)["mismatch"]
    assert (mismatch["artifact"], mismatch["total_elements"]) == ("tensors/layer.bias.npy", 3)
    assert mismatch["differing_elements"] >= 1 and 0 < mismatch["max_abs_diff"] < 1e-4
    assert "tensors/layer.bias.npy: the tensor's values differ" in result.stderr


def test_reproduce_gives_the_recorded_fingerprint(tiny):
    recorded = train(tiny, "-P", "epochs=4", "--seed", "5")
    result = mlf("reproduce", recorded["run_id"], "--project", str(tiny), "--format", "json", env=environment())
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["identical"] and answer["recorded_fingerprint"] == recorded["fingerprint"]
    assert answer["run"]["fingerprint"] == recorded["fingerprint"]
    assert answer["docker_run"] is None and "did not run in an mlfcore image" in result.stderr
    assert answer["differences"] == [] and "the code changed" not in result.stderr
    from mlflow.tracking import MlflowClient

    again = MlflowClient(f"sqlite:///{tiny / 'mlflow.db'}").get_run(answer["run"]["run_id"])
    assert again.data.params["mlf.param.epochs"] == "4" and again.data.params["mlf.seed"] == "5"
    assert again.data.tags["mlf.reproduces"] == recorded["run_id"]


def test_reproduce_notices_a_changed_training(tiny):
    recorded = train(tiny)
    (tiny / "train.py").write_text((tiny / "train.py").read_text().replace("* 0.5", "* 0.25"))
    result = mlf("reproduce", recorded["run_id"], "--project", str(tiny), env=environment())
    assert result.returncode == 1, result.stderr[-3000:]
    assert "NOT reproduced" in result.stderr and "metrics.json" in result.stderr
    assert "the code changed since the recorded run" in result.stderr
    assert "1 source file(s) differ: train.py" in result.stderr


def _reading_data(tiny):
    """The tiny project, training on a declared data file: its metrics follow the file's content."""
    (tiny / "data").mkdir()
    (tiny / "data" / "x.csv").write_text("1,2\n")
    (tiny / "pyproject.toml").write_text('[tool.mlf]\ndata = ["data"]\n')
    script = (tiny / "train.py").read_text()
    (tiny / "train.py").write_text(script.replace('{"loss": float(weight.mean())}',
                                                  '{"loss": float(weight.mean()), "data": open("data/x.csv").read()}'))
    return tiny


def test_reproduce_names_the_data_files_that_changed(tiny):
    recorded = train(_reading_data(tiny))
    (tiny / "data" / "x.csv").write_text("1,3\n")
    before = len(runs(tiny))
    result = mlf("reproduce", recorded["run_id"], "--project", str(tiny), env=environment())
    assert result.returncode == 1, result.stderr[-3000:]
    assert "the data differ from the recorded run's: 1 file(s) differ: data/x.csv" in result.stderr
    assert len(runs(tiny)) == before  # stopped before training


def test_reproduce_says_the_data_changed_when_their_record_is_unreadable(tiny):
    # As from a tracking server that does not serve artifacts: the run's tags hold the tree hash, its per-file
    # record cannot be read, so the re-run happens; its differing fingerprint must not be blamed on outputs alone.
    recorded = train(_reading_data(tiny))
    (tiny / "data" / "x.csv").write_text("1,3\n")
    (tiny / "mlruns" / "tiny" / recorded["run_id"] / "artifacts" / "mlf" / "data.json").unlink()
    result = mlf("reproduce", recorded["run_id"], "--project", str(tiny), "--format", "json", env=environment())
    assert result.returncode == 1, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert [d for d in answer["differences"] if d.startswith("the data differ from the recorded run's: its tree "
                                                              "hash was")], answer["differences"]
    last = result.stderr.strip().splitlines()[-1]
    assert "NOT reproduced" in last and "metrics.json" in last and "the data differ" in last, result.stderr[-3000:]


def test_reproduce_of_an_unknown_run_is_bad_input(tiny):
    result = mlf("reproduce", "0123456789abcdef", "--project", str(tiny), env=environment())
    assert result.returncode == 2 and "no run '0123456789abcdef'" in result.stderr


def test_a_failing_training_keeps_its_exit_code_and_is_marked_failed(tiny):
    (tiny / "train.py").write_text("import sys\nsys.exit(7)\n")
    result = mlf("train", str(tiny), env=environment())
    assert result.returncode == 7
    assert [r.info.status for r in runs(tiny)] == ["FAILED"]


def test_a_training_that_writes_nothing_is_a_failed_check(tiny):
    (tiny / "train.py").write_text("pass\n")
    result = mlf("train", str(tiny), env=environment())
    assert result.returncode == 1 and "wrote nothing to its output folder" in result.stderr
    assert [r.info.status for r in runs(tiny)] == ["FAILED"]


def test_declared_data_is_hashed_and_logged(tiny):
    (tiny / "data").mkdir()
    (tiny / "data" / "x.csv").write_text("1,2\n")
    (tiny / "pyproject.toml").write_text('[tool.mlf]\ndata = ["data"]\n')
    uncached = train(tiny, "--no-cache")
    assert not (tiny / datacache.CACHE_FILE).exists()  # beside the store: --no-cache neither used nor wrote it
    summary = train(tiny)
    assert (tiny / datacache.CACHE_FILE).is_file()
    tags = {r.info.run_id: r.data.tags for r in runs(tiny)}
    assert tags[uncached["run_id"]]["mlf.data_tree_sha256"] == tags[summary["run_id"]]["mlf.data_tree_sha256"]
    run = [r for r in runs(tiny) if r.info.run_id == summary["run_id"]][0]
    data = json.loads((tiny / "mlruns" / "tiny" / summary["run_id"] / "artifacts" / "mlf" / "data.json").read_text())
    assert run.data.tags["mlf.data_tree_sha256"] == data["tree_sha256"]
    assert list(data["files"]) == ["data/x.csv"]
    # `mlf hash` prints the hashes train records, cached or not.
    for extra in ((), ("--no-cache",)):
        printed = mlf("hash", "-C", str(tiny), "--format", "json", *extra, env=environment())
        assert printed.returncode == 0, printed.stderr
        assert json.loads(printed.stdout) == data


def test_declared_outputs_are_what_is_fingerprinted(tiny):
    (tiny / "MLproject").write_text((tiny / "MLproject").read_text().replace("{output_dir}", "results"))
    (tiny / "pyproject.toml").write_text('[tool.mlf]\noutputs = ["results/tensors"]\n')
    first, second = train(tiny), train(tiny)
    # Declared outputs are copied into the run's own folder under the project lock: that copy is fingerprinted.
    assert first["fingerprint"] == second["fingerprint"] and first["outputs"] == str(tiny / "outputs" / first["run_id"])
    assert (tiny / "outputs" / first["run_id"] / "results/tensors/layer.bias.npy").is_file()
    manifest = json.loads((tiny / "mlruns" / "tiny" / first["run_id"] / "artifacts" / "mlf" / "fingerprint.json")
                          .read_text())
    assert [a["name"] for a in manifest["artifacts"]] == ["results/tensors/layer.bias.npy",
                                                         "results/tensors/layer.weight.npy"]


def test_allow_nondeterministic_trains_past_lint_errors_and_says_so_in_the_record(tiny):
    (tiny / "setup_torch.py").write_text("import torch\ntorch.use_deterministic_algorithms(False)\n")
    # The pre-run gate lints what the command imports: train.py imports it (read, never run).
    (tiny / "train.py").write_text("if False:\n    import setup_torch\n" + (tiny / "train.py").read_text())
    summary = train(tiny, "--allow-nondeterministic")
    run = [r for r in runs(tiny) if r.info.run_id == summary["run_id"]][0]
    assert run.data.tags["mlf.nondeterministic"] == "true" and run.data.tags["mlf.lint_errors"] == "1"
    assert run.data.params["mlf.allow_nondeterministic"] == "true"
