"""Installed versions come from dist-info folders, the same answer importlib.metadata gives."""

from __future__ import annotations

from importlib import metadata

import pytest

from mlfcore.entrypoint import installed


@pytest.mark.parametrize("name", ["pytest", "typer", "PyYAML"])
def test_same_as_importlib_metadata(name):
    assert installed.version(name) == metadata.version(name)


def test_first_installed_name_wins_and_missing_is_none():
    assert installed.version("no-such-distribution-mlf") is None
    assert installed.version("no-such-distribution-mlf", "pytest") == metadata.version("pytest")
