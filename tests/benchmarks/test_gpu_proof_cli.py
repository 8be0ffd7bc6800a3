"""`python -m benchmarks.gpu_proof`: bad usage and a machine with nothing to prove on exit 2 at once, writing
nothing; a fake device runs the plumbing on the CPU and writes the report and its results."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.gpu_proof import cli, machine, report, results, verdict
from benchmarks.gpu_proof.cases import CASES
from benchmarks.gpu_proof.context import ROOT
from benchmarks.gpu_proof.examples import EXAMPLES


def proof(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.gpu_proof", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize(("args", "said"), [
    (["--parts", "machine,gpus"], "unknown part gpus; the parts are machine, lint, determinism, resume, bench"),
    (["--parts", ","], "unknown part (none given)"),
    (["--runs", "1"], "at least 2 runs"),
    (["--budget", "lint"], "give PART=SECONDS"),
    (["--budget", "lint=0"], "give PART=SECONDS"),
    (["--budget", "nothing=10"], "give PART=SECONDS"),
    (["--fake-device"], "must not replace docs/GPU.md"),
])
def test_bad_usage_exits_2_naming_what_was_wrong_and_writes_nothing(tmp_path, capsys, args, said):
    target = tmp_path / "GPU.md"
    extra = [] if "--fake-device" in args else ["--output", str(target)]
    assert cli.main([*args, *extra]) == 2
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_does_not_exist_is_refused(tmp_path, capsys):
    assert cli.main(["--fake-device", "--output", str(tmp_path / "missing" / "GPU.md")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_earlier_results_that_cannot_be_read_are_refused_not_overwritten(tmp_path, capsys):
    (tmp_path / "GPU.json").write_text("{not json")
    assert cli.main(["--fake-device", "--output", str(tmp_path / "GPU.md")]) == 2
    assert "cannot read the earlier results" in capsys.readouterr().err
    assert (tmp_path / "GPU.json").read_text() == "{not json" and not (tmp_path / "GPU.md").exists()


@pytest.mark.parametrize(("facts", "said"), [
    ({"torch": None, "error": "ModuleNotFoundError: No module named 'torch'"}, "torch cannot be imported"),
    ({"torch": "2.13.0+cpu", "cuda_build": None}, "torch 2.13.0+cpu is a build without CUDA"),
    ({"torch": "2.11.0+cu130", "cuda_build": "13.0", "device_count": 0,
      "nvml": {"reason": "no NVIDIA driver here: libnvidia-ml.so was not found"}},
     "no GPU: torch 2.11.0+cu130 (built for CUDA 13.0) sees no CUDA device (NVML: no NVIDIA driver here"),
])
def test_each_reason_for_no_proof_is_said_as_itself(facts, said):
    assert said in machine.refusal(facts)


def test_a_torch_that_sees_a_gpu_is_not_refused():
    assert machine.refusal({"torch": "2.11.0+cu130", "cuda_build": "13.0", "device_count": 1}) is None


def test_this_torch_is_refused_at_once_for_what_it_is(tmp_path):
    facts = machine.probe(sys.executable, fake_device=False)
    if facts.get("device_count"):
        pytest.skip("torch here sees a GPU: the proof would run")
    done = proof("--output", str(tmp_path / "GPU.md"), timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == f"gpu-proof: error: {machine.refusal(facts)}"
    assert list(tmp_path.iterdir()) == []


def test_a_fake_device_runs_the_machine_and_lint_parts_on_the_cpu_and_writes_both_files(tmp_path):
    output = tmp_path / "GPU.md"
    done = proof("--fake-device", "--parts", "machine,lint", "--output", str(output))
    saved = json.loads((tmp_path / "GPU.json").read_text())
    assert done.returncode == (1 if verdict.findings(saved, ("machine", "lint")) else 0), done.stderr
    assert saved["fake_device"] is True and set(saved["parts"]) == {"machine", "lint"}
    assert [saved["parts"][part]["status"] for part in ("machine", "lint")] == ["done", "done"]
    rows = {row["slug"]: row for row in saved["parts"]["lint"]["data"]["cases"]}
    assert len(rows) == len(CASES)
    # Real torch on the CPU: MaxUnpool raises under the switch there too (the table says every device), a CUDA-only
    # raise (AvgPool3d's backward) runs, and scatter_add_ gives the same bits twice under the switch.
    assert (rows["maxunpool2d"]["on"]["outcome"], rows["maxunpool2d"]["verdict"]) == ("raises", "agrees")
    assert (rows["avgpool3d_backward"]["on"]["outcome"], rows["avgpool3d_backward"]["verdict"]) == ("runs", "agrees")
    assert rows["scatter_add"]["on"]["same_bits"] is True
    assert output.read_text() == report.render(saved)
    assert "**Fake device.**" in output.read_text()


def test_a_second_call_with_some_parts_keeps_the_others_and_a_fake_never_mixes_with_a_gpu(tmp_path):
    output = tmp_path / "GPU.md"
    earlier = results.empty(fake_device=True)
    earlier["parts"]["lint"] = {"status": "cut", "data": {}, "notes": ["the budget ran out after 3 of 59 cases"]}
    (tmp_path / "GPU.json").write_text(json.dumps(earlier))
    output.write_text(report.render(earlier) + "Read with care: the lint part was cut.\n")
    done = proof("--fake-device", "--parts", "machine", "--output", str(output), timeout=120)
    saved = json.loads((tmp_path / "GPU.json").read_text())
    assert done.returncode == 0, done.stderr  # only the parts this call ran are judged: not the kept, cut one
    assert saved["parts"]["lint"] == earlier["parts"]["lint"] and saved["parts"]["machine"]["status"] == "done"
    assert output.read_text().endswith(report.ANALYSIS + "\nRead with care: the lint part was cut.\n")
    kept, note = results.load(output, fake_device=False, fresh=False)
    assert kept == results.empty(fake_device=False) and "came from a fake device" in note


@pytest.mark.heavy  # 4 trainings under `mlf verify`, 4 resumed, 4 seeded, 16 bench runs: 5-10 min on 2 busy cores
def test_a_fake_device_trains_both_examples_to_identical_fingerprints_under_the_contract(tmp_path):
    output = tmp_path / "GPU.md"
    done = proof("--fake-device", "--quick", "--parts", "determinism,resume,bench", "--budget", "determinism=900",
                 "--budget", "resume=600", "--budget", "bench=900", "--output", str(output), timeout=2700)
    saved = json.loads((tmp_path / "GPU.json").read_text())
    assert done.returncode == 0, done.stderr
    parts = saved["parts"]
    for example in EXAMPLES:
        on = parts["determinism"]["data"][example]["contract"]
        assert on["identical"] is True and len(on["fingerprints"]) == 2 and len(set(on["fingerprints"])) == 1
        assert [run.get("fingerprint") is None for run in parts["determinism"]["data"][example]["seeds_only"]["runs"]
                ] == [False, False]
        assert parts["resume"]["data"][example]["identical"] is True
        assert set(parts["bench"]["data"][example]["seconds_per_step"]) == {
            "deterministic", "deterministic, no fill", "default", "default, host threads"}
    assert output.read_text() == report.render(saved)


def test_the_recorded_command_leaves_out_where_the_report_went(tmp_path):
    chosen = cli.options(["--parts", "lint", "--output", str(tmp_path / "GPU.md"), "--quick",
                          f"--output={tmp_path / 'GPU.md'}"])
    assert chosen.command == "python -m benchmarks.gpu_proof --parts lint --quick"
    assert chosen.output == (tmp_path / "GPU.md").resolve()
