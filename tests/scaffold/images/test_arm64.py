"""linux/arm64 images built on this x86-64 machine under emulation (qemu-user-static through binfmt_misc).

Heavy: the emulated OS bootstrap took 11 min and the emulated base build much longer than the native one
(docs/images.md), far beyond the CI budget; `make test-all` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlfcore.scaffold import identity

pytestmark = [pytest.mark.heavy, pytest.mark.images]
OS_ARM64 = "local/debian:bookworm-arm64"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def arm64_base(engine) -> str:
    import docker

    if not Path("/proc/sys/fs/binfmt_misc/qemu-aarch64").is_file():
        pytest.fail("binfmt_misc has no qemu-aarch64 entry: apt-get install qemu-user-static binfmt-support, then "
                    "update-binfmts --enable qemu-aarch64", pytrace=False)
    try:
        engine.images.get(OS_ARM64)
    except docker.errors.ImageNotFound:
        subprocess.run(["bash", str(ROOT / "images" / "os_base.sh"), OS_ARM64, "", "arm64"], check=True)
    command = [sys.executable, "-m", "mlfcore.scaffold.images.build", "base", "--arch", "aarch64",
               "--base-image", OS_ARM64]
    for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE")):
        if os.environ.get(variable):
            command += [option, os.environ[variable]]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]
    return identity.tags("base", "cpu", arch="aarch64")[0]


def test_the_arm64_base_is_arm64_and_runs_mlf(engine, arm64_base):
    image = engine.images.get(arm64_base)
    assert image.attrs["Architecture"] == "arm64"
    from mlfcore.scaffold.images import lock

    assert image.labels["io.mlfcore.lock.sha256"] == lock.lock_hash("base", "cpu", "aarch64")
    assert lock.lock_hash("base", "cpu", "aarch64") != lock.lock_hash("base", "cpu")
    out = engine.containers.run(arm64_base, ["-c", "uname -m; mlf --help >/dev/null && echo mlf-ok"],
                                entrypoint=["bash"], platform="linux/arm64", remove=True).decode().split()
    assert out == ["aarch64", "mlf-ok"]


def test_the_arm64_base_runs_the_aarch64_contract(engine, arm64_base):
    """The child of `mlf run` gets the contract for aarch64: no x86 dispatch pins, torch's default capability."""
    code = "import os; print(os.environ.get('ATEN_CPU_CAPABILITY'), os.environ.get('MKL_CBWR'))"
    out = engine.containers.run(arm64_base, ["run", "--", "python", "-c", code], platform="linux/arm64",
                                remove=True).decode().split()
    assert out == ["default", "None"]
