"""The images as users meet them, like docker-stacks' and NGC's: any uid with a mounted folder, `docker run IMAGE
bash|python ...`, a derived image built FROM ours with one more package (the shipped constraints keep every pin),
recorded as derived with its own environment key, and `mlf reproduce` saying that the code changed.

Written for the smallest framework image (xgboost, cpu): the behaviour lives in the base, and one image keeps the
test time down. Every container is removed; the derived image is removed at the end of the session.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from mlfcore.scaffold import identity  # names of the images
from mlfcore.scaffold.images.builder import DOCKER  # the client with BuildKit

FOR_IMAGE = "xgboost"
WORKSPACE = "/workspace"
# The probe package a derived image installs: built here as a wheel, so the build needs no index.
PROBE = "mlf_probe"
PROJECT = {
    "pyproject.toml": '[tool.mlf.train]\ncommand = "python train.py --output {output_dir}"\n',
    "train.py": ("# A user's project: numpy weights from a seeded generator, scaled by the derived image's package.\n"
                 "import argparse\nimport json\nimport pathlib\n\nimport numpy as np\n\n"
                 "try:\n    from mlf_probe import SCALE\nexcept ImportError:\n    SCALE = 1.0\n\n"
                 "parser = argparse.ArgumentParser()\nparser.add_argument('--output')\n"
                 "output = pathlib.Path(parser.parse_args().output)\n"
                 "weights = np.random.default_rng(0).standard_normal(4) * SCALE\n"
                 "(output / 'weights.json').write_text(json.dumps(weights.tolist()))\n"),
}


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_probe_wheel(folder: Path) -> Path:
    """A one-module wheel that requires numpy, laid out as the binary distribution format specifies
    (packaging.python.org/en/latest/specifications/binary-distribution-format: name-version.dist-info with
    METADATA, WHEEL and RECORD, the RECORD hashes urlsafe-base64 sha256 without padding)."""
    info = f"{PROBE}-1.0.dist-info"
    files = {f"{PROBE}/__init__.py": b"SCALE = 2.0\n",
             f"{info}/METADATA": b"Metadata-Version: 2.1\nName: mlf-probe\nVersion: 1.0\nRequires-Dist: numpy\n",
             f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: mlfcore-tests\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n"}
    record = "\n".join([_record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,", ""])
    wheel = folder / f"{PROBE}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in {**files, f"{info}/RECORD": record.encode()}.items():
            archive.writestr(name, data)
    return wheel


@pytest.fixture(scope="session")
def derived(image, tmp_path_factory):
    """An image built FROM ours as a user writes it: one package, installed as the image user with the shipped
    constraints (no USER root). Removed at the end of the session."""
    context = tmp_path_factory.mktemp("derived")
    (context / "wheels").mkdir()
    write_probe_wheel(context / "wheels")
    (context / "Dockerfile").write_text(
        "ARG PARENT\nFROM ${PARENT}\nCOPY wheels/ /tmp/wheels/\n"
        "RUN pip install --no-index --find-links /tmp/wheels -c /opt/mlfcore/constraints.txt mlf-probe\n")
    ref = f"{identity.namespace()}/derived-probe:test"
    built = subprocess.run([DOCKER, "build", "--quiet", "--build-arg", f"PARENT={image.ref}", "-t", ref,
                            str(context)], capture_output=True, text=True, env={**os.environ, "DOCKER_BUILDKIT": "1"})
    assert built.returncode == 0, built.stderr[-3000:]
    yield ref
    subprocess.run([DOCKER, "image", "rm", "--force", ref], capture_output=True)


def run(engine, ref: str, *args: str, user: str | None = None, workspace: Path | None = None,
        environment: dict | None = None) -> tuple[int, str, str]:
    """`docker run --rm [--user U] [-v W:/workspace] [-e ...] REF ARGS`: exit code, stdout, stderr."""
    volumes = {str(workspace): {"bind": WORKSPACE, "mode": "rw"}} if workspace else None
    container = engine.containers.run(ref, list(args), detach=True, user=user, volumes=volumes,
                                      environment=environment)
    try:
        status = container.wait(timeout=900)
        return (status["StatusCode"], container.logs(stdout=True, stderr=False).decode(),
                container.logs(stdout=False, stderr=True).decode())
    finally:
        container.remove(force=True)


def owned_folder(folder: Path, user: str) -> Path:
    """A folder only `user` (uid:gid) may write, as a user's checkout is on the host."""
    uid, gid = (int(part) for part in user.split(":"))
    folder.mkdir()
    os.chown(folder, uid, gid)
    os.chmod(folder, 0o755)
    return folder


def write_project(folder: Path, user: str) -> Path:
    uid, gid = (int(part) for part in user.split(":"))
    for name, text in PROJECT.items():
        (folder / name).write_text(text)
        os.chown(folder / name, uid, gid)
    return folder


# GitHub's hosted runners run as uid 1001; 4242 has no passwd entry in the image at all.
@pytest.mark.parametrize("user", ["1001:1001", "4242:4242"])
def test_any_uid_trains_in_a_mounted_folder_and_writes_home_and_caches(engine, image, tmp_path, user):
    workspace = write_project(owned_folder(tmp_path / "project", user), user)
    code, stdout, stderr = run(engine, image.ref, "train", "--json", user=user, workspace=workspace)
    assert code == 0, stderr[-4000:]
    assert len(json.loads(stdout)["fingerprint"]) == 64
    assert (workspace / "mlflow.db").stat().st_uid == int(user.split(":")[0])
    # HOME and the caches the frameworks write (torch hub, matplotlib's config, Keras) for a uid with no home.
    probe = ("import os, pathlib\nhome = pathlib.Path.home()\n"
             "for sub in ('.cache/torch', '.config/matplotlib', '.keras'):\n"
             "    (home / sub).mkdir(parents=True, exist_ok=True); (home / sub / 'probe').write_text('x')\n"
             "print(home, os.environ['PYTHONHASHSEED'])\n")
    code, stdout, stderr = run(engine, image.ref, "python", "-c", probe, user=user)
    assert code == 0, stderr[-4000:]
    assert stdout.split() == ["/home/mlf", "0"]


def test_a_folder_the_uid_cannot_write_is_refused_with_the_fix(engine, image, tmp_path):
    # The negative control: the image's default uid (1000) and a folder that belongs to uid 1001.
    workspace = owned_folder(tmp_path / "project", "1001:1001")
    code, _, stderr = run(engine, image.ref, "train", workspace=workspace)
    assert code == 2 and "not writable" in stderr and '--user "$(id -u):$(id -g)"' in stderr


def test_a_command_that_is_not_mlf_runs(engine, image):
    assert run(engine, image.ref, "bash", "-c", "echo ok")[:2] == (0, "ok\n")
    # Python runs under the contract (`mlf run`): MLF_ACTIVE is set for the child.
    code, stdout, stderr = run(engine, image.ref, "python", "-c", "import os; print(os.environ.get('MLF_ACTIVE'))")
    assert (code, stdout) == (0, "1\n"), stderr[-2000:]
    code, _, stderr = run(engine, image.ref, "no-such-program")
    assert code == 2 and "No such command 'no-such-program'" in stderr


def test_the_constraints_keep_every_pin_in_a_derived_image(engine, image, derived):
    check = ("import importlib.metadata as m\npins = [l.strip().split('==') for l in open('/opt/mlfcore/constraints.txt') "
             "if '==' in l]\nprint(sum(m.version(n) != v for n, v in pins), len(pins), m.version('mlf-probe'))\n")
    code, stdout, stderr = run(engine, derived, "bash", "-c", f"pip check >&2 && python -c \"{check}\"")
    assert code == 0, stderr[-3000:]
    changed, pins, probe = stdout.split()
    assert changed == "0" and int(pins) > 20 and probe == "1.0"


def _sysinfo(engine, ref: str, environment: dict | None = None) -> dict:
    code, stdout, stderr = run(engine, ref, "sysinfo", "--fast", "--format", "json", environment=environment)
    assert code == 0, stderr[-3000:]
    return json.loads(stdout)


def test_a_derived_image_is_recorded_as_derived_with_its_own_key(engine, image, derived):
    parent, child = _sysinfo(engine, image.ref), _sysinfo(engine, derived)
    assert parent["system"]["container"]["image"]["derived"] is False
    assert parent["system"]["container"]["image"]["name"] == identity.repository("xgboost")
    found = child["system"]["container"]["image"]
    # The inherited MLF_IMAGE_* values name the parent: the record must not.
    assert found["derived"] is True and found["name"] is None and found["parent"] == image.ref
    assert found["differences"] == ["+mlf-probe==1.0"]
    assert child["environment_key"]["key"] != parent["environment_key"]["key"]


def test_a_derived_image_records_its_ref_and_reproduce_says_the_code_changed(engine, derived, tmp_path):
    workspace = write_project(owned_folder(tmp_path / "project", "1000:1000"), "1000:1000")  # the image's user
    named = {"MLF_IMAGE_REF": derived}
    code, stdout, stderr = run(engine, derived, "train", "--json", workspace=workspace, environment=named)
    assert code == 0, stderr[-4000:]
    recorded = json.loads(stdout)
    from mlflow.tracking import MlflowClient

    tags = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}").get_run(recorded["run_id"]).data.tags
    assert tags["mlf.image"] == derived and tags["mlf.image_derived"] == "true" and tags["mlf.gpu_count"] == "0"
    # A comment changes the code, not the result: the warning comes from the source hash, not from the outputs.
    (workspace / "train.py").write_text(PROJECT["train.py"] + "# tuned\n")
    code, stdout, stderr = run(engine, derived, "reproduce", recorded["run_id"], "--json", workspace=workspace,
                               environment=named)
    assert code == 0, stderr[-4000:]
    answer = json.loads(stdout)
    assert answer["identical"] and answer["docker_run"].startswith(f'docker run --rm -v "$PWD":/workspace {derived} ')
    assert answer["differences"][0].startswith("the code changed since the recorded run")
    assert answer["differences"][0].endswith("1 source file(s) differ: train.py") and len(answer["differences"]) == 1
