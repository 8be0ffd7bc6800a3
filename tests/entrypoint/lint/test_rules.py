"""Every linted rule: its positive snippet is found at the table's severity, its negative one is not."""

from __future__ import annotations

import pytest

from mlfcore.entrypoint.lint import rules

from .cases import CASES
from .conftest import rule_ids

ALL, _ = rules.all_rules()
LINTED = sorted(r.id for r in ALL.values() if r.matches)


def test_every_linted_rule_has_a_case():
    assert sorted(CASES) == LINTED


def test_rules_without_a_match_say_why():
    for rule in ALL.values():
        if not rule.matches and not rule.id.startswith("file-"):
            assert rule.note.startswith(("Not linted:", "A check in code")), rule.id


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_positive(lint, rule_id):
    prelude, positive, _ = CASES[rule_id]
    report = lint(prelude + positive + "\n")
    found = [f for f in report.findings if f.rule == rule_id]
    assert len(found) == 1, (rule_id, rule_ids(report))
    assert found[0].severity == ALL[rule_id].severity
    assert found[0].line == prelude.count("\n") + 1
    assert found[0].fix == ALL[rule_id].fix


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_negative(lint, rule_id):
    prelude, _, negative = CASES[rule_id]
    assert rule_id not in rule_ids(lint(prelude + negative + "\n"))


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_inside_comments_and_strings_is_never_a_finding(lint, rule_id):
    prelude, positive, _ = CASES[rule_id]
    source = prelude + f"# {positive}\ntext = {positive!r}\n'''\n{positive}\n'''\n"
    assert rule_id not in rule_ids(lint(source))


def test_queue_put_with_one_argument_is_not_tensor_put(lint):
    # queue.Queue.put(item) in a module that imports torch: Tensor.put needs index and source, so a one-argument
    # put is not it, and must not stop mlf run with an error.
    source = "import queue\nimport torch\nq = queue.Queue()\nq.put(1)\nq.put(item=1)\n"
    assert rule_ids(lint(source)) == []


@pytest.mark.parametrize("call, rule_id", [
    ("x.put(i, v)", "torch-put"),
    ("x.put(i, source=v)", "torch-put"),
    ("x.put(i, v, accumulate=True)", "torch-put-accumulate"),
])
def test_tensor_put_with_index_and_source_is_found(lint, call, rule_id):
    assert rule_ids(lint("import torch\n" + call + "\n")) == [rule_id]
