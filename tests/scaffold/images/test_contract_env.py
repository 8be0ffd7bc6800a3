"""The base Dockerfile bakes each architecture's own contract block, generated from the contract table."""

from __future__ import annotations

import re

import pytest

from mlfcore.entrypoint import contract, variables
from mlfcore.scaffold.images import contract_env, table

TEXT = contract_env.DOCKERFILE.read_text()


@pytest.mark.parametrize("arch", sorted(table.ARCHES))
def test_each_architecture_has_its_contract_stage(arch):
    expected = contract.environment(contract.Settings(), arch=arch)
    baked = contract_env.baked(TEXT, arch)
    assert {name: baked.get(name) for name in expected} == expected
    pairs = dict(item.partition("=")[::2] for item in baked[variables.MLF_IMAGE_CONTRACT].split(";"))
    assert pairs == expected
    stage = f"FROM runtime AS contract-{contract_env.docker_arch(arch)}\n{contract_env.begin(arch)}"
    assert stage in TEXT


def test_the_blocks_differ_where_the_dispatch_pins_do():
    x86, arm = contract_env.baked(TEXT, "x86_64"), contract_env.baked(TEXT, "aarch64")
    assert x86["ATEN_CPU_CAPABILITY"] == "avx2" and arm["ATEN_CPU_CAPABILITY"] == "default"
    # x86-only libraries' pins (MKL, oneDNN ISA levels, OpenBLAS's Haswell kernels) are not baked on aarch64.
    assert {"MKL_CBWR", "ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE"} <= set(x86) - set(arm)


def test_the_image_continues_from_the_target_platforms_stage():
    # BuildKit's automatic TARGETARCH picks the stage; the final stage must come from it, not from a fixed one.
    assert re.search(r"^FROM contract-\$\{TARGETARCH\} AS base$", TEXT, re.MULTILINE)
    assert TEXT.count("FROM runtime AS contract-") == len(table.ARCHES)


def test_a_stale_block_is_found(tmp_path, monkeypatch):
    stale = TEXT.replace("ATEN_CPU_CAPABILITY=default", "ATEN_CPU_CAPABILITY=avx2", 1)
    assert stale != TEXT
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(stale)
    monkeypatch.setattr(contract_env, "DOCKERFILE", dockerfile)
    monkeypatch.setattr(contract_env.table, "ROOT", tmp_path)
    assert contract_env.main(["--check"]) == 1
    assert contract_env.main([]) == 0
    assert dockerfile.read_text() == TEXT
