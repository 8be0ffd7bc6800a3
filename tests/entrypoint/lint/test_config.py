"""[tool.mlf.lint]: select, ignore, exclude, <framework>-version; an unknown key is an error naming it."""

from __future__ import annotations

import pytest

from mlfcore.entrypoint.errors import ConfigError
from mlfcore.entrypoint.lint.config import LintConfig, from_table


def test_valid_table():
    config = from_table({"select": ["torch"], "ignore": ["torch-conv"], "exclude": ["gen/*"],
                         "torch-version": "2.13"})
    assert config == LintConfig(select=("torch",), ignore=("torch-conv",), exclude=("gen/*",),
                             versions=(("torch", "2.13"),))
    assert from_table({}) == LintConfig()


def test_unknown_key_is_named():
    with pytest.raises(ConfigError, match="unknown key 'selct' in \\[tool.mlf.lint\\]") as caught:
        from_table({"selct": ["torch"]}, "pyproject.toml")
    assert "select" in caught.value.hint and caught.value.exit_code == 2


@pytest.mark.parametrize("table", [{"select": "torch"}, {"ignore": [1]}, {"torch-version": 2.13}])
def test_wrong_types(table):
    with pytest.raises(ConfigError, match="must be"):
        from_table(table)
