"""The lint-truth cases cover every rule of the torch table, and each says truly whether its rule fires on it."""

from __future__ import annotations

import pytest

from benchmarks.gpu_proof import lint_truth
from benchmarks.gpu_proof.cases import CASES
from mlfcore.entrypoint.lint import tables


@pytest.mark.parametrize("version", tables.versions("torch"))
def test_every_rule_of_every_torch_table_has_a_case(version):
    rules = {rule.id for rule in tables.load("torch", version)}
    assert rules - {case.rule for case in CASES} == set()
    assert {case.rule for case in CASES} - rules == set(), "a case names a rule the table does not have"


def test_each_case_fires_its_rule_exactly_when_it_says_so(tmp_path):
    said = lint_truth.predictions(tables.versions("torch")[-1], "cuda", tmp_path)
    wrong = [(case.name, case.rule, said[case.slug]["fired"]) for case in CASES
             if (case.rule in said[case.slug]["fired"]) != case.fires]
    assert wrong == []


def test_the_table_expects_what_its_severities_say_on_cuda_and_on_the_cpu(tmp_path):
    on_cuda = lint_truth.predictions("2.13", "cuda", tmp_path / "cuda")
    on_cpu = lint_truth.predictions("2.13", "cpu", tmp_path / "cpu")
    # A CUDA-only error (avg_pool3d) raises on CUDA and not on the CPU; errors on every device (max_unpool, quantized
    # resize_) raise on both; the 2-D nll_loss and float cumsum run on both.
    assert [on_cuda["avgpool3d_backward"]["expects"], on_cpu["avgpool3d_backward"]["expects"]] == ["raises", "runs"]
    assert on_cuda["maxunpool2d"]["expects"] == on_cpu["maxunpool2d"]["expects"] == "raises"
    assert on_cuda["resize_quantized"]["expects"] == on_cpu["resize_quantized"]["expects"] == "raises"
    assert on_cuda["nll_loss_4_d"]["expects"] == "raises" and on_cuda["nll_loss_2_d"]["expects"] == "runs"
    assert on_cuda["cumsum_float"]["expects"] == "runs"


def test_the_cases_only_cuda_can_judge_are_the_three_the_table_left_open():
    named = {(case.rule, case.name) for case in CASES if case.named}
    assert {rule for rule, _ in named} == {"torch-cumsum", "torch-reflection-pad", "torch-nll-loss"}
    assert {name for rule, name in named if rule == "torch-nll-loss"} == {"nll_loss 2-D", "nll_loss 4-D"}


@pytest.mark.parametrize(("expects", "on", "verdict"), [
    ("raises", {"outcome": "raises", "message": "x does not have a deterministic implementation", "same_bits": None},
     "agrees"),
    ("raises", {"outcome": "runs", "message": "", "same_bits": True}, "mismatch"),
    ("runs", {"outcome": "runs", "message": "", "same_bits": True}, "agrees"),
    ("runs", {"outcome": "runs", "message": "", "same_bits": False}, "mismatch"),
    ("runs", {"outcome": "raises", "message": "y does not have a deterministic implementation", "same_bits": None},
     "mismatch"),
    ("raises", {"outcome": "warns", "message": "z does not have a deterministic implementation", "same_bits": True},
     "mismatch"),
    ("runs", {"outcome": "fails", "message": "NotImplementedError: not for 'Long'", "same_bits": None}, "unchecked"),
    ("runs", None, "unchecked"),
])
def test_the_comparison_calls_every_outcome_by_its_name(expects, on, verdict):
    assert lint_truth.compare(expects, on)[0] == verdict


def test_the_nearest_table_stands_in_for_a_torch_without_one_and_says_so():
    newest = tables.versions("torch")[-1]
    assert lint_truth.table_for(newest + ".1+cu130") == {"table": newest, "torch": newest + ".1+cu130",
                                                        "exact": True, "known": tables.versions("torch")}
    older = lint_truth.table_for("2.1.0+cu118")
    assert older["table"] == tables.versions("torch")[0] and older["exact"] is False
