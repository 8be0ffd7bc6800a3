"""torch's versions and CPU capability read from its installed files agree with what an imported torch says."""

import json
import subprocess
import sys

import pytest

from mlfcore.entrypoint import bootstrap, contract
from mlfcore.entrypoint.frameworks.torch import installed_files as torchfiles

from ...conftest import clean_environment

COMPARE = ("import json, sys; from mlfcore.entrypoint.frameworks.torch import installed_files, probe; "
           "files = installed_files.report(); loaded = 'torch' in sys.modules; imported = probe.imported(); "
           "print(json.dumps([files, imported, loaded]))")


@pytest.mark.parametrize("under_contract", [True, False], ids=["contract", "bare"])
def test_the_files_say_what_the_imported_torch_says(tmp_path, under_contract):
    env = clean_environment()
    if under_contract:
        env = bootstrap.child_environment(contract.Settings(), env)
    done = subprocess.run([sys.executable, "-c", COMPARE], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    files, imported, loaded_before = json.loads(done.stdout.strip().splitlines()[-1])
    assert not loaded_before  # reading the files imported no torch
    for field in ("version", "cuda", "hip", "git_version", "cudnn", "nccl", "cpu_capability"):
        assert files[field] == imported[field], field
    if under_contract and contract.machine_arch() == "x86_64":
        assert files["cpu_capability"] == "AVX2"  # the portable pin, ATEN_CPU_CAPABILITY=avx2


@pytest.mark.parametrize("environ, flags, arch, expected", [
    ({"ATEN_CPU_CAPABILITY": "avx2"}, {"avx512vl", "avx512bw", "avx512dq", "fma", "avx2"}, "x86_64", "AVX2"),
    ({}, {"avx512vl", "avx512bw", "avx512dq", "fma", "avx2"}, "x86_64", "AVX512"),
    ({}, {"avx512vl", "avx512bw", "fma", "avx2"}, "x86_64", "AVX2"),  # no avx512dq: not ATen's AVX512
    ({}, {"avx2"}, "x86_64", "DEFAULT"),  # AVX2 kernels also need FMA
    ({}, {"asimd"}, "aarch64", "DEFAULT"),
])
def test_cpu_capability_follows_atens_choice(environ, flags, arch, expected):
    assert torchfiles.cpu_capability(environ, flags, arch) == expected


def test_cuda_library_versions_come_from_nvidias_headers(tmp_path, monkeypatch):
    # A minimal stand-in for the layout of NVIDIA's wheels: nvidia/<lib>/include/<header>.
    (tmp_path / "nvidia" / "cudnn" / "include").mkdir(parents=True)
    (tmp_path / "nvidia" / "nccl" / "include").mkdir(parents=True)
    (tmp_path / "nvidia" / "cudnn" / "include" / "cudnn_version.h").write_text(
        "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 10\n#define CUDNN_PATCHLEVEL 2\n")
    (tmp_path / "nvidia" / "nccl" / "include" / "nccl.h").write_text(
        "#define NCCL_MAJOR 2\n#define NCCL_MINOR 27\n#define NCCL_PATCH 3\n#define NCCL_SUFFIX \"\"\n")
    monkeypatch.setattr(torchfiles, "package_dirs", lambda package: [tmp_path / package])
    assert torchfiles.cudnn_version() == 91002 and torchfiles.nccl_version() == "2.27.3"
    (tmp_path / "nvidia" / "cudnn" / "include" / "cudnn_version.h").write_text(
        "#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 9\n#define CUDNN_PATCHLEVEL 7\n")
    assert torchfiles.cudnn_version() == 8907
