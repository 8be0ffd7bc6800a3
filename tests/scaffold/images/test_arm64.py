"""linux/arm64 images built on this x86-64 machine under emulation (qemu-user-static through binfmt_misc), or
natively on an arm64 machine (the workflow's arm64 runner).

Heavy: under emulation the OS bootstrap took 11 min, the base build 15-30 min and the xgboost example's training
several times its native time (docs/images.md), far beyond the CI budget; `make test-all` runs it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from mlfcore.scaffold import identity, manifest_list, registry_client
from mlfcore.scaffold.images import contract_env, lock, os_base

pytestmark = [pytest.mark.heavy, pytest.mark.images]
OS_ARM64 = os_base.default_tag("aarch64")
ARM64 = "linux/arm64"
# Measured here (docs/images.md): the xgboost example, `train --json -P rounds=5`, gives the same result fingerprint
# on arm64 under emulation as on x86-64 while the environment keys differ (the key holds the architecture).
XGBOOST_ARGS = ("train", "--json", "-P", "rounds=5")


def _build_arm64(name: str) -> str:
    command = [sys.executable, "-m", "mlfcore.scaffold.images.build", name, "--arch", "aarch64",
               "--base-image", OS_ARM64]
    for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE")):
        if os.environ.get(variable):
            command += [option, os.environ[variable]]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]
    return identity.tags(name, "cpu", arch="aarch64")[0]


@pytest.fixture(scope="module")
def arm64_base(engine) -> str:
    import docker

    if platform.machine() != "aarch64" and not Path("/proc/sys/fs/binfmt_misc/qemu-aarch64").is_file():
        pytest.fail("binfmt_misc has no qemu-aarch64 entry: apt-get install qemu-user-static binfmt-support, then "
                    "update-binfmts --enable qemu-aarch64", pytrace=False)
    try:
        engine.images.get(OS_ARM64)
    except docker.errors.ImageNotFound:
        # `make os-base ARCH=aarch64`: debuerreotype in the builder, checked against images/base/debian-aarch64.lock.
        subprocess.run([sys.executable, "-m", "mlfcore.scaffold.images.os_base", "--arch", "aarch64"], check=True)
    return _build_arm64("base")


@pytest.fixture(scope="module")
def arm64_xgboost(arm64_base) -> str:
    return _build_arm64("xgboost")


def _env(engine, ref: str) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in engine.images.get(ref).attrs["Config"]["Env"])


def test_the_arm64_base_is_arm64_and_runs_mlf(engine, arm64_base):
    image = engine.images.get(arm64_base)
    assert image.attrs["Architecture"] == "arm64"
    assert image.labels["io.mlfcore.lock.sha256"] == lock.lock_hash("base", "cpu", "aarch64")
    assert lock.lock_hash("base", "cpu", "aarch64") != lock.lock_hash("base", "cpu")
    out = engine.containers.run(arm64_base, ["-c", "uname -m; mlf --help >/dev/null && echo mlf-ok"],
                                entrypoint=["bash"], platform=ARM64, remove=True).decode().split()
    assert out == ["aarch64", "mlf-ok"]


def test_the_arm64_base_bakes_the_aarch64_contract(engine, arm64_base):
    """Config.Env holds the aarch64 block (TARGETARCH picked the contract-arm64 stage), not the x86-64 one."""
    env = _env(engine, arm64_base)
    expected = contract_env.environment("aarch64")
    assert {name: env.get(name) for name in expected} == expected
    assert not {"MKL_CBWR", "ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE"} & set(env)


def test_the_arm64_base_runs_the_aarch64_contract(engine, arm64_base):
    """The child of `mlf run` gets the contract for aarch64: no x86 dispatch pins, torch's default capability."""
    code = "import os; print(os.environ.get('ATEN_CPU_CAPABILITY'), os.environ.get('MKL_CBWR'))"
    out = engine.containers.run(arm64_base, ["run", "--", "python", "-c", code], platform=ARM64,
                                remove=True).decode().split()
    assert out == ["default", "None"]


def _mlf(engine, ref: str, folder: Path, args: tuple[str, ...], platform_name: str | None = None) -> tuple[str, str]:
    """`docker run [--platform P] -v FOLDER:/workspace REF ARGS`: stdout and stderr of a run that must exit 0."""
    folder.mkdir()
    os.chmod(folder, 0o777)  # the container's user (uid 1000) writes the store here
    container = engine.containers.run(ref, list(args), detach=True, platform=platform_name,
                                      volumes={str(folder): {"bind": "/workspace", "mode": "rw"}})
    try:
        status = container.wait(timeout=3600)
        stdout = container.logs(stdout=True, stderr=False).decode()
        stderr = container.logs(stdout=False, stderr=True).decode()
        assert status["StatusCode"] == 0, stderr[-4000:]
        return stdout, stderr
    finally:
        container.remove(force=True)


def test_the_xgboost_example_verifies_on_arm64(engine, arm64_xgboost, tmp_path):
    assert engine.images.get(arm64_xgboost).attrs["Architecture"] == "arm64"
    _, stderr = _mlf(engine, arm64_xgboost, tmp_path / "verify", ("verify", *XGBOOST_ARGS[2:]), ARM64)
    assert "2 runs gave bitwise identical results" in stderr


def test_the_xgboost_example_trains_on_arm64_to_the_x86_fingerprint(engine, build_image, arm64_xgboost, tmp_path):
    arm = json.loads(_mlf(engine, arm64_xgboost, tmp_path / "arm64", XGBOOST_ARGS, ARM64)[0])
    x86 = json.loads(_mlf(engine, build_image("xgboost"), tmp_path / "amd64", XGBOOST_ARGS)[0])
    assert arm["fingerprint"] == x86["fingerprint"]
    # The same bits, yet not the same environment: a reproduction compares keys, and the architecture is in the key.
    assert arm["environment_key"] != x86["environment_key"]


def test_one_manifest_list_carries_both_platforms_of_the_base(engine, registry, base_image, arm64_base):
    """`make push/base` to the registry on 127.0.0.1: a list over amd64 and arm64, each pulled back by platform."""
    command = [sys.executable, "-m", "mlfcore.scaffold.images.push", "base", "--registry", registry.host,
               "--username", registry.username, "--password-stdin", "--format", "json"]
    done = subprocess.run(command, input=registry.password, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:]
    (result,) = json.loads(done.stdout)
    assert set(result["platforms"]) == {"x86_64", "aarch64"}
    secret = registry_client.Credentials(registry.username, registry.password)
    client = manifest_list.Client(registry.host, "mlfcore/base", secret)
    for ref in result["refs"]:
        answer = client.request("GET", f"manifests/{ref.rpartition(':')[2]}",
                                headers={"Accept": manifest_list.DOCKER_LIST})
        assert answer.headers["Docker-Content-Digest"] == result["digest"]
    listed = {item["platform"]["architecture"]: item["digest"] for item in answer.json()["manifests"]}
    assert listed == {"amd64": result["platforms"]["x86_64"], "arm64": result["platforms"]["aarch64"]}
    auth = {"username": registry.username, "password": registry.password}
    # Each platform read back by the digest the list names: the pushed bytes are the built (and tested) bytes.
    for arch, local in (("amd64", base_image), ("arm64", arm64_base)):
        pulled = engine.images.pull(f"{registry.host}/mlfcore/base@{listed[arch]}", auth_config=auth)
        assert pulled.attrs["Architecture"] == arch
        assert pulled.id == engine.images.get(local).id
    # And a plain pull of a tag resolves the list to this engine's own platform.
    tag = result["refs"][0].rpartition(":")[2]
    pulled = engine.images.pull(f"{registry.host}/mlfcore/base", tag=tag, auth_config=auth)
    assert pulled.id == engine.images.get(base_image if platform.machine() == "x86_64" else arm64_base).id
