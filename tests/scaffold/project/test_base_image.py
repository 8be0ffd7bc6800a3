"""The `FROM` adapter names our published image as image identity does (mlfcore.scaffold.identity), with the full
tag the image table defines, and adds no digest the engine does not know."""

from __future__ import annotations

import pytest

from mlfcore.scaffold import identity
from mlfcore.scaffold.project import base_image, toolkit


@pytest.mark.parametrize("image,variant", [("base", "cpu"), ("pytorch", "cpu"), ("pytorch", "cuda"),
                                           ("tensorflow", "cuda"), ("xgboost", "cpu")])
def test_tag_is_the_tables_full_tag_under_the_published_namespace(image, variant, monkeypatch):
    monkeypatch.delenv(identity.REGISTRY_VARIABLE, raising=False)
    spec = toolkit.image(image)
    expected = f"ghcr.io/mlfcore/{image}:{toolkit.version()}-{spec.framework}{spec.framework_version}-{variant}"
    assert base_image.tag(image, variant) == expected == identity.reference(image, variant)


def test_an_image_the_engine_does_not_hold_gets_its_tag_only():
    ref = base_image.reference("xgboost", "cuda")
    assert ref == base_image.tag("xgboost", "cuda") and "@" not in ref


def test_pins_drop_the_local_version_label():
    assert f"torch=={toolkit.image('pytorch').framework_version}" in toolkit.pins("pytorch", "cpu")
