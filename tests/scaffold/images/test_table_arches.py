"""Which architectures each image is published for (images.toml `arches`), and the workflow's arm64 matrix."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlfcore.scaffold.images import table


def test_every_published_architecture_has_its_lock():
    for name, spec in table.IMAGES.items():
        for variant in spec.variants:
            for arch in spec.arches_of(variant):
                assert arch in table.ARCHES, (name, variant, arch)
                assert spec.lock_file(variant, arch).is_file(), f"{name}:{variant} {arch}: run `make lock ARCH={arch}`"


def test_a_child_is_published_for_no_architecture_its_parent_lacks():
    for name, spec in table.IMAGES.items():
        for variant in spec.variants if spec.parent else []:
            parent = table.image(spec.parent)
            assert set(spec.arches_of(variant)) <= set(parent.arches_of(table.parent_variant(name, variant))), name


def test_the_arm64_matrix_lists_parents_first_and_no_tensorflow():
    done = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.images.table", "matrix-arch", "aarch64"],
                          capture_output=True, text=True, check=True)
    rows = json.loads(done.stdout)
    assert rows[0] == {"image": "base", "variant": "cpu"}
    assert {"image": "xgboost", "variant": "cpu"} in rows
    # tensorflow-cpu 2.21.0 has no aarch64 wheel for Python 3.11; the cuda variants are x86-64 builds.
    assert all(row["image"] != "tensorflow" and row["variant"] == "cpu" for row in rows)


def test_an_unknown_architecture_is_refused_with_the_known_ones():
    with pytest.raises(table.TableError, match="x86_64, aarch64"):
        table.matrix_arch("riscv64")
    done = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.images.table", "arches", "xgboost", "cpu"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["x86_64", "aarch64"]
