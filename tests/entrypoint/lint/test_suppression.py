"""`# mlf: ignore` and `# mlf: ignore[RULE,...]` on the flagged line."""

from __future__ import annotations

from .conftest import rule_ids

PRELUDE = "import torch\n"


def test_bare_ignore_silences_every_rule_on_the_line(lint):
    assert rule_ids(lint(PRELUDE + "torch.bincount(x, w)  # mlf: ignore\n")) == []


def test_ignore_with_rules_silences_only_those(lint):
    assert rule_ids(lint(PRELUDE + "torch.bincount(x, w)  # mlf: ignore[torch-bincount]\n")) == []
    assert rule_ids(lint(PRELUDE + "torch.bincount(x, w)  # mlf: ignore[torch-histc, torch-bincount]\n")) == []
    assert rule_ids(lint(PRELUDE + "torch.bincount(x, w)  # mlf: ignore[torch-histc]\n")) == ["torch-bincount"]


def test_the_comment_silences_its_own_line_only(lint):
    source = PRELUDE + "torch.bincount(x, w)  # mlf: ignore\ntorch.bincount(x, w)\n"
    assert [f.line for f in lint(source).findings] == [3]


def test_a_string_that_looks_like_the_comment_does_not_silence(lint):
    assert rule_ids(lint(PRELUDE + 'torch.bincount(x, w, note="# mlf: ignore")\n')) == ["torch-bincount"]


def test_multi_line_call_can_be_silenced_on_its_first_or_last_line(lint):
    first = PRELUDE + "torch.bincount(  # mlf: ignore[torch-bincount]\n    x,\n    w,\n)\n"
    last = PRELUDE + "torch.bincount(\n    x,\n    w)  # mlf: ignore[torch-bincount]\n"
    assert rule_ids(lint(first)) == [] and rule_ids(lint(last)) == []


def test_select_and_ignore(lint):
    source = PRELUDE + "torch.bincount(x, w)\ntorch.histc(x)\ntorch.backends.cudnn.benchmark = True\n"
    assert sorted(rule_ids(lint(source))) == ["contract-cudnn-benchmark", "torch-bincount", "torch-histc"]
    assert sorted(rule_ids(lint(source, select=["torch"]))) == ["torch-bincount", "torch-histc"]
    assert rule_ids(lint(source, select=["torch"], ignore=["torch-histc"])) == ["torch-bincount"]
    assert rule_ids(lint(source, ignore=["torch", "contract-cudnn-benchmark"])) == []


def test_an_exact_id_does_not_select_longer_ids(lint):
    source = PRELUDE + "x.put_(i, v)\nx.put_(i, v, accumulate=True)\n"
    assert rule_ids(lint(source, select=["torch-put"])) == ["torch-put"]
