"""The `FROM` adapter agrees with the image table's own tag computation (images/table.py, run as the Makefile runs
it) and adds no digest the engine does not know."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlfcore.scaffold.new import base_image, toolkit

from .conftest import ROOT


@pytest.mark.parametrize("image,variant", [("base", "cpu"), ("pytorch", "cpu"), ("pytorch", "cuda"),
                                           ("tensorflow", "cuda"), ("xgboost", "cpu")])
def test_tag_is_the_tables_full_tag_under_the_published_namespace(image, variant):
    answer = subprocess.run([sys.executable, str(ROOT / "images" / "table.py"), "tags", image, variant],
                            capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    full = answer.stdout.split()[0]  # "<namespace>/<image>:<full tag>", the immutable one first
    assert base_image.tag(image, variant) == f"{base_image.PUBLISHED}/{image}:{full.split(':', 1)[1]}"


def test_an_image_the_engine_does_not_hold_gets_its_tag_only():
    ref = base_image.reference("xgboost", "cuda")
    assert ref == base_image.tag("xgboost", "cuda") and "@" not in ref


def test_pins_drop_the_local_version_label():
    assert f"torch=={toolkit.image('pytorch').framework_version}" in toolkit.pins("pytorch", "cpu")
