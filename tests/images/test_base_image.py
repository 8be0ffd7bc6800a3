"""mlfcore/base's promises, checked in real containers of the base and of every image built FROM it."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
from conftest import ROOT, identity, run, table

from mlfcore.entrypoint import contract, variables

FOR_IMAGE = "base"
# The image tests build for this machine (x86-64); arm64 builds are tested in tests/scaffold/images/test_arm64.py.
ARCH = "x86_64"
# `docker stop`'s grace period; tini forwards SIGTERM to mlf, which forwards it to the child (entrypoint/supervise/child.py).
GRACE_S = 10
SIZES = ROOT / "build" / "images" / "sizes.json"


def test_user_is_not_root(host):
    assert host.user().uid != 0
    assert host.user().name == "mlf"
    assert host.file("/workspace").user == "mlf"


def test_workdir_and_entrypoint(engine, image):
    config = engine.images.get(image.ref).attrs["Config"]
    assert config["WorkingDir"] == "/workspace"
    assert config["Entrypoint"] == ["tini", "--", "mlf"]
    assert config["User"] == "1000:1000"


def test_python_is_the_pinned_version(engine, image):
    result = run(engine, image, "-c", "import sys; print('%d.%d' % sys.version_info[:2])", entrypoint=["python"])
    assert (result.exit_code, result.stdout.strip()) == (0, table.RAW["python"])


def test_pip_check_is_clean(engine, image):
    result = run(engine, image, "check", entrypoint=["pip"])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_contract_environment_is_baked(engine, image):
    env = dict(item.partition("=")[::2] for item in engine.images.get(image.ref).attrs["Config"]["Env"])
    expected = contract.environment(contract.Settings(), arch=ARCH)
    assert {name: env.get(name) for name in expected} == expected
    baked = dict(pair.partition("=")[::2] for pair in env[variables.MLF_IMAGE_CONTRACT].split(";"))
    assert baked == expected


def test_image_facts_are_baked(engine, image):
    attrs = engine.images.get(image.ref).attrs["Config"]
    env = dict(item.partition("=")[::2] for item in attrs["Env"])
    tag = image.ref.partition(":")[2]
    assert env[variables.MLF_IMAGE_NAME] == identity.repository(image.name)
    assert env[variables.MLF_IMAGE_TAG] == tag
    assert env[variables.MLF_IMAGE_VARIANT] == image.variant
    assert env[variables.MLF_IMAGE_LOCK_HASH] == image.lock_hash
    labels = attrs["Labels"]
    assert labels["org.opencontainers.image.version"] == identity.mlfcore_version()
    assert labels["io.mlfcore.lock.sha256"] == image.lock_hash
    assert labels["io.mlfcore.image.tag"] == tag


def test_every_tag_points_at_the_image(engine, image):
    image_id = engine.images.get(image.ref).id
    assert {engine.images.get(ref).id for ref in identity.tags(image.name, image.variant)} == {image_id}


def test_tini_is_pid_1(host):
    assert host.file("/proc/1/cmdline").content_string.split("\0")[0].endswith("tini")


# Exits 42 on SIGTERM, so the exit code proves the signal reached it (SIGKILL at the grace period's end gives 137).
STOPPABLE = ("import pathlib, signal, sys, time\n"
             "signal.signal(signal.SIGTERM, lambda *_: sys.exit(42))\n"
             "pathlib.Path('/tmp/ready').touch()\n"
             "time.sleep(300)\n")


@pytest.mark.stress
def test_docker_stop_reaches_the_training_through_tini_and_mlf(engine, image):
    started = engine.containers.run(image.ref, ["run", "--", "python", "-c", STOPPABLE], detach=True)
    try:
        deadline = time.monotonic() + 120
        while started.exec_run(["test", "-f", "/tmp/ready"]).exit_code != 0:  # the child's handler is in place
            assert time.monotonic() < deadline, started.logs().decode()[-2000:]
            time.sleep(0.2)
        started.stop(timeout=GRACE_S)
        started.reload()
        assert started.attrs["State"]["ExitCode"] == 42, started.logs().decode()[-2000:]
    finally:
        started.remove(force=True)


@pytest.mark.parametrize("command", [["--help"], ["env"], ["env", "--format", "json"], ["sysinfo"]])
def test_mlf_commands_work(engine, image, command):
    result = run(engine, image, *command)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_mlf_run_with_a_seed_is_no_contract_conflict(engine, image):
    result = run(engine, image, "run", "--seed", "7", "--", "python", "-c",
                 "import os; print(os.environ['PYTHONHASHSEED'])")
    assert (result.exit_code, result.stdout.strip()) == (0, "7"), result.stderr




def test_the_report_can_be_attached_in_the_image(engine, image):
    # `mlf verify` and `reproduce` attach the RO-Crate report when report.attach.available(); without the `report`
    # extra they would only warn, in our own images.
    result = run(engine, image, "-c", "from mlfcore.entrypoint.report import attach; print(attach.available())",
                 entrypoint=["python"])
    assert (result.exit_code, result.stdout.strip()) == (0, "True"), result.stderr

# Inside one container: a log written by mlfcore's writer, `mlf tensorboard` on it in the background, and TensorBoard's
# scalars endpoint read back (the deadline is a bound for a broken server, not a timing the test measures).
TENSORBOARD_SCRIPT = """
set -e
python -c '
from mlfcore.entrypoint.tensorboard import ScalarWriter
with ScalarWriter("/tmp/tb/curve") as writer:
    for step, loss in enumerate([0.5, 0.25, 0.125]):
        writer.add_scalar("loss", loss, step)
'
mlf tensorboard --logdir /tmp/tb/curve --port 6006 >/tmp/tensorboard.log 2>&1 &
python -c '
import json, sys, time, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def get(path):
    return json.load(opener.open("http://127.0.0.1:6006" + path, timeout=10))
deadline = time.monotonic() + 300
while True:
    try:
        runs = get("/data/runs")
        if runs:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("no answer; its log: " + open("/tmp/tensorboard.log").read())
    time.sleep(0.5)
print(json.dumps({"runs": runs, "loss": get("/data/plugin/scalars/scalars?run=" + runs[0] + "&tag=loss")}))
'
"""


def test_mlf_tensorboard_serves_a_log_in_the_image(engine, image):
    result = run(engine, image, "-c", TENSORBOARD_SCRIPT, entrypoint=["bash"])
    assert result.exit_code == 0, result.stderr[-3000:] + result.stdout[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["runs"] == ["curve/."]  # TensorBoard names a group's own top-level log `<group>/.`
    # TensorBoard's scalar rows are [wall time, step, value]: the steps and the values written, in order.
    assert [(row[1], row[2]) for row in answer["loss"]] == [(0, 0.5), (1, 0.25), (2, 0.125)]

# ---- what the saved image holds: every layer, not only the final filesystem -------------------------------------

def _proxy_certificates() -> list[str]:
    """A distinctive line of each certificate a proxy added to this host (update-ca-certificates' local folder)."""
    lines = []
    for path in sorted(Path("/usr/local/share/ca-certificates").glob("**/*.crt")):
        body = [line for line in path.read_text(errors="replace").splitlines() if line and "-----" not in line]
        lines += body[len(body) // 2:len(body) // 2 + 1]
    return lines


# A token stands alone: not inside a longer run of base64 (measured: Pillow 13.0.0's PIL/ImageFont.py embeds its
# default font as base64, which holds "AKIAAQAAAAAABAAHAM0A").
SECRET_PATTERNS = [re.compile(rb"(?<![A-Za-z0-9+/_-])" + pattern + rb"(?![A-Za-z0-9+/=_-])") for pattern in (
    rb"gh[pousr]_[A-Za-z0-9]{36}",  # GitHub tokens
    rb"github_pat_[A-Za-z0-9_]{22,}",
    rb"glpat-[A-Za-z0-9_-]{20}",  # GitLab
    rb"AKIA[0-9A-Z]{16}",  # AWS access key ids
)]
FORBIDDEN_PATHS = re.compile(r"(^|/)(run/secrets/|\.cache/pip/|root/\.cache/|tmp/requirements\.lock|"
                             r"tmp/wheelhouse/|etc/pip\.conf$)")
# Text-sized files only: certificates and tokens live in small files; wheels' shared libraries are not read.
SCAN_LIMIT = 2_000_000


def _layer_findings(layer: tarfile.TarFile, name: str, needles: list[bytes]) -> list[str]:
    findings = []
    for member in layer:
        if FORBIDDEN_PATHS.search(member.name):
            findings.append(f"{name}: {member.name}")
        if member.isfile() and member.size < SCAN_LIMIT:
            data = layer.extractfile(member).read()
            findings += [f"{name}: {member.name} holds a proxy CA certificate" for needle in needles if needle in data]
            # Token patterns are text: in shared libraries they match by chance (measured: libunistring did).
            if not data.startswith(b"\x7fELF"):
                findings += [f"{name}: {member.name} holds a token" for pattern in SECRET_PATTERNS
                             if pattern.search(data)]
    return findings


def test_no_ca_bundle_token_or_pip_cache_in_any_layer(engine, image, tmp_path):
    # The saved image goes as soon as it is read: the three images' archives are 4.9 GB, which pytest would keep
    # until the session ends (a CI run ended with 1 GB of disk free while they were kept).
    saved = tmp_path / "image.tar"
    subprocess.run(["docker", "save", "-o", str(saved), image.ref], check=True)
    needles = [line.encode() for line in _proxy_certificates()]
    findings = []
    try:
        with tarfile.open(saved) as archive:
            manifest = json.load(archive.extractfile("manifest.json"))[0]
            config = archive.extractfile(manifest["Config"]).read()
            findings += ["image config holds a proxy CA certificate" for needle in needles if needle in config]
            findings += ["image config holds a token" for pattern in SECRET_PATTERNS if pattern.search(config)]
            for layer_name in manifest["Layers"]:
                with tarfile.open(fileobj=archive.extractfile(layer_name)) as layer:
                    findings += _layer_findings(layer, layer_name, needles)
    finally:
        saved.unlink()
    assert not findings


def test_image_size_is_recorded(engine, image, record_property):
    size_mb = engine.images.get(image.ref).attrs["Size"] / 1e6
    record_property("image_size_mb", round(size_mb))
    SIZES.parent.mkdir(parents=True, exist_ok=True)
    sizes = json.loads(SIZES.read_text()) if SIZES.is_file() else {}
    sizes[image.ref] = round(size_mb)
    SIZES.write_text(json.dumps(sizes, indent=2, sort_keys=True) + "\n")
    budget = table.RAW["images"][image.name]["size_budget_mb"][image.variant]
    assert size_mb <= budget, f"{image.ref} is {size_mb:.0f} MB, over its budget of {budget} MB (images.toml)"


def test_sysinfo_records_the_commit_of_a_project_mounted_from_the_host(engine, image, tmp_path):
    """The images carry no git (116 MB with perl, measured): the commit is read from the mounted .git."""
    import json
    import subprocess

    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("print('hello')\n")
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "train.py"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    container = engine.containers.run(image.ref, ["sysinfo", "--fast", "--format", "json"], detach=True,
                                      volumes={str(project): {"bind": "/workspace", "mode": "ro"}})
    try:
        assert container.wait(timeout=300)["StatusCode"] == 0, container.logs().decode()[-2000:]
        record = json.loads(container.logs(stdout=True, stderr=False).decode())
    finally:
        container.remove(force=True)
    assert record["project"]["commit"] == commit
    assert record["project"]["dirty"] is None and "dirty state is unknown" in record["project"]["reason"]
