"""The torch rule table mirrors the installed torch's own `use_deterministic_algorithms` docstring.

On a pin bump this fails and lists exactly what changed: bullets new in torch's list, bullets gone, and bullets
that moved between "raises" and "deterministic" (cumsum on CUDA raises in 2.13; later releases made it
deterministic). Copy data/torch-<old>.toml to torch-<new>.toml and edit it until this passes.
"""

from __future__ import annotations

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.lint import tables
from mlfcore.entrypoint.frameworks.torch import lint as torch_rules

import torch  # noqa: E402  (the pinned torch is a test dependency: a missing one fails, never skips)


def installed_table():
    version = tables.pick("torch", torch.__version__)
    return version, tables.load("torch", version)


def test_table_mirrors_the_installed_docstring():
    version, rules = installed_table()
    diff = torch_rules.compare(torch.use_deterministic_algorithms.__doc__, rules)
    assert diff == {"new": [], "gone": [], "moved": []}, \
        f"torch {torch.__version__} vs lint/data/torch-{version}.toml: {diff}"


def test_both_lists_are_parsed():
    documented = torch_rules.documented_ops(torch.use_deterministic_algorithms.__doc__)
    kinds = {kind for kind, _ in documented}
    assert kinds == {"raises", "deterministic"}
    assert len(documented) >= 40  # 2.13 lists 52 bullets; a parser that stops early fails here


def test_in_2_13_cumsum_is_a_known_docstring_error():
    # The docstring lists floating-point cumsum on CUDA as raising; PyTorch's test_deterministic_cumsum runs it
    # under the switch and compares bits. The table follows the test and keeps the bullet as a cross-check.
    rules = {r.id: r for r in tables.load("torch", "2.13")}
    assert rules["torch-cumsum"].severity == "info"
    assert [d.list for d in rules["torch-cumsum"].docs] == ["raises"]
    assert "test_deterministic_cumsum" in rules["torch-cumsum"].docstring_error


def test_a_pin_bump_shows_what_changed():
    _, rules = installed_table()
    doc = torch.use_deterministic_algorithms.__doc__
    cumsum = ("* :func:`torch.cumsum` when called on a CUDA tensor when dtype is floating point or complex")
    assert cumsum in doc
    # a later torch: cumsum moves to the deterministic list, histc is gone, a new op raises
    bumped = doc.replace("        " + cumsum + "\n", "").replace(
        "* :func:`torch.histc` when called on a CUDA tensor",
        "* :func:`torch.new_op` when called on a CUDA tensor").replace(
        "        * :class:`torch.nn.Conv1d` when called on CUDA tensor",
        "        * :func:`torch.cumsum` when called on a CUDA tensor when dtype is floating point or complex\n"
        "        * :class:`torch.nn.Conv1d` when called on CUDA tensor")
    diff = torch_rules.compare(bumped, rules)
    assert diff == {
        "new": ["raises: :func:`torch.new_op` when called on a CUDA tensor"],
        "gone": ["raises: :func:`torch.histc` when called on a CUDA tensor"],
        "moved": ["raises -> deterministic: :func:`torch.cumsum` when called on a CUDA tensor when dtype is "
                  "floating point or complex"],
    }


def test_severity_follows_the_list():
    _, rules = installed_table()
    for rule in rules:
        kinds = {d.list for d in rule.docs}
        if rule.docstring_error:
            continue  # the known errors of the docstring: test_known_docstring_errors lists them
        if kinds == {"deterministic"}:
            assert rule.severity == "info", rule.id
        elif kinds == {"raises"}:
            assert rule.severity == "error", rule.id
    assert {r.id: r.severity for r in rules}["torch-put-accumulate"] == "warning"  # raises on CUDA only


@pytest.mark.parametrize("installed, requested, expected", [
    ("2.13.0", None, "2.13"), ("2.13.0+cpu", None, "2.13"), ("2.15.1", None, "2.13"), (None, None, "2.13"),
    ("2.1.0", "2.13.0", "2.13"), ("2.1.0", "2.13", "2.13"),
])
def test_table_picked_from_the_installed_or_requested_version(installed, requested, expected):
    assert tables.pick("torch", installed, requested) == expected


def test_an_unknown_requested_version_is_a_usage_error():
    with pytest.raises(UsageError, match="no torch rule table for version '1.6'"):
        tables.pick("torch", "2.13.0", "1.6")


def test_known_docstring_errors():
    """Where the table departs from torch 2.13's docstring, and the source that shows why: a pin bump re-reads
    these against the new torch's functional.py and alert tests."""
    rules = {r.id: r for r in tables.load("torch", "2.13")}
    departed = {r.id: r.severity for r in rules.values() if r.docstring_error}
    assert departed == {"torch-interpolate": "error", "torch-nll-loss": "warning", "torch-cumsum": "info"}
    assert "_upsample_linear_vec" in rules["torch-interpolate"].docstring_error
    assert "nll_loss2d" in rules["torch-nll-loss"].docstring_error


def test_bilinear_and_trilinear_use_the_decomposition_in_the_installed_torch():
    """The fact the table's interpolate split rests on, read from the installed torch's own source."""
    import inspect

    source = inspect.getsource(torch.nn.functional.interpolate)
    assert source.count("are_deterministic_algorithms_enabled()") >= 2
    assert "_upsample_linear_vec" in source
