"""The provenance tags a run records (image, package and source hashes, GPUs) and where `reproduce` says it ran."""

from __future__ import annotations

import copy

import pytest

from mlfcore.entrypoint import contract, sysinfo
from mlfcore.entrypoint.train import provenance


@pytest.fixture(scope="module")
def here():
    return sysinfo.collect(contract.Settings(), fast=True)


def _image(record, **fields):
    changed = copy.deepcopy(record)
    changed["system"]["container"]["image"].update(fields)
    return changed


def test_outside_images_the_hashes_and_gpu_count_are_recorded_but_no_image(here):
    tags = provenance.tags(here)
    assert provenance.IMAGE not in tags and tags[provenance.GPUS] == "0"
    assert tags[provenance.SOURCE] == here["project"]["source"]["sha256"]
    assert tags[provenance.PACKAGES] == here["system"]["container"]["image"]["packages_sha256"]
    assert provenance.where(tags) == "did not run in an mlfcore image (no image recorded)"


def test_our_image_is_named_with_the_digest_the_host_passed(here):
    ours = _image(here, name="mlfcore/xgboost", tag="0.1.0-cpu", variant="cpu", manifest="/opt/mlfcore/m.json",
                  derived=False, digest="sha256:" + "1" * 64)
    tags = provenance.tags(ours)
    assert tags[provenance.IMAGE] == "mlfcore/xgboost:0.1.0-cpu@sha256:" + "1" * 64
    assert tags[provenance.IMAGE_VARIANT] == "cpu" and provenance.IMAGE_DERIVED not in tags


def test_a_derived_image_is_never_named_after_its_parent(here):
    derived = _image(here, name=None, tag=None, variant="cpu", manifest="/opt/mlfcore/m.json", derived=True,
                     parent="mlfcore/xgboost:0.1.0-cpu")
    tags = provenance.tags(derived)
    assert provenance.IMAGE not in tags and tags[provenance.IMAGE_PARENT] == "mlfcore/xgboost:0.1.0-cpu"
    assert "built FROM mlfcore/xgboost:0.1.0-cpu whose name was not passed in" in provenance.where(tags)
    named = provenance.tags({**derived, "system": {**derived["system"], "container": {
        **derived["system"]["container"], "image": {**derived["system"]["container"]["image"], "ref": "me/t:1"}}}})
    assert provenance.where(named) == "ran in me/t:1, built FROM mlfcore/xgboost:0.1.0-cpu"


def test_gpus_come_from_the_count_and_old_runs_from_the_variant():
    assert provenance.had_gpus({provenance.GPUS: "1"}) and not provenance.had_gpus({provenance.GPUS: "0",
                                                                                       "mlf.image_variant": "cuda"})
    assert provenance.had_gpus({"mlf.image_variant": "cuda"}) and not provenance.had_gpus({})
