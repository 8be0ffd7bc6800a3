"""The lint-truth child on the CPU: it tells torch's determinism error from other failures, and compares bits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from benchmarks.gpu_proof import lint_child
from benchmarks.gpu_proof.context import ROOT


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor")  # deprecated in torch 2.13; still what users have
def test_the_digest_is_of_the_bits_and_reads_sparse_and_quantized_tensors():
    values = torch.arange(6, dtype=torch.float32)
    assert lint_child.digest((values, values * 2)) == lint_child.digest((values.clone(), values * 2))
    assert lint_child.digest(values) != lint_child.digest(values.clone().index_put_((torch.tensor([0]),),
                                                                                    torch.tensor(-0.0)))
    sparse = torch.eye(3).to_sparse()
    assert lint_child.digest(sparse) == lint_child.digest(torch.eye(3))
    quantized = torch.quantize_per_tensor(values, 0.5, 0, torch.quint8)
    assert lint_child.digest(quantized) == lint_child.digest(quantized.int_repr())


    # lint_child.twice switches the global flag itself; the test starts and ends with it off, as pytest runs
def test_a_determinism_error_raises_another_error_fails_and_a_plain_op_runs_twice_the_same():
    torch.use_deterministic_algorithms(False)  # mlf: ignore[contract-deterministic-algorithms-off]
    try:
        raised = lint_child.twice(torch, "import torch\nresult = torch.zeros(3).put_(torch.tensor([0, 0]), "
                                         "torch.tensor([1.0, 2.0]))\n", "put", "cpu", True)
        failed = lint_child.twice(torch, "result = 1 / 0\n", "zero", "cpu", True)
        ran = lint_child.twice(torch, "import torch\nresult = torch.randn(5).cumsum(0)\n", "cumsum", "cpu", True)
    finally:
        torch.use_deterministic_algorithms(False)  # mlf: ignore[contract-deterministic-algorithms-off]
    assert raised["outcome"] == "raises" and "deterministic" in raised["message"]
    assert failed["outcome"] == "fails" and failed["message"].startswith("ZeroDivisionError")
    assert ran == {"outcome": "runs", "message": "", "same_bits": True}


def test_the_child_writes_a_start_before_each_case_and_the_result_after(tmp_path):
    out = tmp_path / "cases.jsonl"
    done = subprocess.run([sys.executable, "-m", "benchmarks.gpu_proof.lint_child", "--device", "cpu", "--out",
                           str(out), "maxunpool1d", "cumsum_float"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["event"], e.get("case")) for e in events] == [
        ("torch", None), ("start", "maxunpool1d"), ("done", "maxunpool1d"), ("start", "cumsum_float"),
        ("done", "cumsum_float")]
    # MaxUnpool raises under the switch on every device; with the switch off it runs.
    assert events[2]["on"]["outcome"] == "raises" and events[2]["off"]["outcome"] == "runs"
