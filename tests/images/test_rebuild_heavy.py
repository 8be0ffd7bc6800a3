"""Heavy reproducibility checks, each too heavy for every CI run (`make test-all` runs them):

- every image of the table (VARIANT=cpu or cuda) built from a clean clone of HEAD and rebuilt by
  `mlf-scaffold rebuild-check` without any cache: identical (a framework image's install stage is gigabytes);
- `make os-base` twice: the same tarball and the same image id (two debootstraps of Debian's minbase);
- a build with DEBIAN_SNAPSHOT: where Debian's snapshot archive answers, the same image as from the mirror; where
  it does not (this project's machines), one line that says so;
- the negative control of rebuild-check: a project whose build writes the build's time differs, and the check
  names the path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import BUILD, ROOT, VARIANT, identity, table

from mlfcore.scaffold.images import builder, debian_lock, os_base

pytestmark = [pytest.mark.heavy, pytest.mark.images]
SCAFFOLD = [sys.executable, "-m", "mlfcore.scaffold.cli"]


def _settings() -> list[str]:
    options = []
    for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE"),
                             ("--base-image", "BASE_IMAGE")):
        if os.environ.get(variable):
            options += [option, os.environ[variable]]
    return options


@pytest.fixture(scope="module")
def clean_clone(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """HEAD alone, checked out in a temporary folder (a clean commit, whatever the working tree holds), and the
    environment that runs its own build code in a namespace of its own."""
    folder = tmp_path_factory.mktemp("clean")
    clone = folder / "source"
    subprocess.run(["git", "clone", "--quiet", "--shared", str(ROOT), str(clone)], check=True)
    shim = folder / "shim" / "mlfcore"
    shim.mkdir(parents=True)
    for package in ("entrypoint", "scaffold"):
        (shim / package).symlink_to(clone / package)
    namespace = f"{identity.namespace()}-rebuild-test"
    env = {**os.environ, "PYTHONPATH": str(shim.parent), identity.NAMESPACE_VARIABLE: namespace}
    yield clone, env
    for image in builder.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.split():
        if image.startswith(f"{namespace}/"):
            builder.docker("image", "rm", image)
    for volume in builder.docker("volume", "ls", "--quiet").stdout.split():
        if volume.startswith(f"{namespace}-"):
            builder.docker("volume", "rm", volume)


def _variant(name: str) -> str:
    return VARIANT if VARIANT in table.image(name).variants else table.image(name).variants[0]


@pytest.mark.parametrize("name", list(table.IMAGES))
def test_every_image_rebuilds_from_its_commit_to_the_same_id(clean_clone, name):
    """Built from the clean clone with its parents (with the builder's cache), then rebuild-check: a fresh clone,
    no cache, the commit's own build code: the same image id."""
    clone, env = clean_clone
    for link in reversed(table.chain(name)):
        done = subprocess.run([*BUILD, link, "--variant", _variant(link), *_settings()], cwd=clone, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-4000:]
    ref = f"{env[identity.NAMESPACE_VARIABLE]}/{name}:{identity.full_tag(name, _variant(name))}"
    assert builder.docker("image", "inspect", "--format", "{{index .Config.Labels \"io.mlfcore.build.dirty\"}}",
                          ref).stdout.strip() == "false"
    check = [*SCAFFOLD, "rebuild-check", ref]
    if os.environ.get("WHEELHOUSE"):
        check += ["--wheelhouse", os.environ["WHEELHOUSE"]]
    done = subprocess.run(check, cwd=clone, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert done.stdout.strip() == f"identical {builder.image_id(ref)}"


def test_the_os_base_bootstrapped_twice_is_the_same_tarball_and_image(engine):
    tags = [f"{identity.namespace()}-os-base-test/debian:{n}" for n in ("first", "second")]
    try:
        made = [os_base.make(tag) for tag in tags]
        assert made[0].tarball_sha256 == made[1].tarball_sha256
        assert made[0].image_id == made[1].image_id == builder.image_id(tags[1])
        assert made[0].packages == debian_lock.read(debian_lock.path()).os
    finally:
        for tag in tags:
            builder.docker("image", "rm", tag)


def _snapshot_answers(when: str) -> bool:
    url = f"{table.DEBIAN['snapshot_archive']}/debian/{when}/dists/{table.DEBIAN['suite']}/InRelease"
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_a_debian_snapshot_build_is_the_same_image_or_says_the_archive_does_not_answer(build_image):
    """DEBIAN_SNAPSHOT=<the lock's time>: the same packages from Debian's snapshot archive give the same image (the
    snapshot leaves no trace in it). Where the archive does not answer, the build stops with one line saying so."""
    original = builder.image_id(build_image("base"))
    when = debian_lock.read(debian_lock.path()).resolved
    scratch = f"{identity.namespace()}/snapshot-test:{uuid.uuid4().hex[:12]}"
    done = subprocess.run([*BUILD, "base", "--no-cache", "--no-tag", scratch, "--debian-snapshot", when, *_settings()],
                          capture_output=True, text=True)
    try:
        if _snapshot_answers(when):
            assert done.returncode == 0, done.stderr[-4000:]
            assert builder.image_id(scratch) == original
        else:
            assert done.returncode == 2
            last = done.stderr.strip().splitlines()[-1]
            assert "could not be fetched" in last and f"snapshot archive (http://snapshot.debian.org/archive/debian/{when}/)" in last
    finally:
        builder.docker("image", "rm", scratch)


def test_rebuild_check_names_what_a_nondeterministic_build_step_changes(engine, build_image, tmp_path):
    """The negative control: a project whose Dockerfile writes the build's time gives another image on rebuild, and
    the check says `differs` and names that file."""
    base = build_image("base")
    project = tmp_path / "clock"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "clock"\nversion = "1.0.0"\n')
    (project / "Dockerfile").write_text(f"FROM {base}\nRUN date +%s%N > /tmp/built-at\n")
    git = ["git", "-c", "user.name=mlfcore tests", "-c", "user.email=tests@mlfcore.invalid", "-C", str(project)]
    for command in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "a clock in the image"]):
        subprocess.run([*git, *command], check=True)
    done = subprocess.run([*SCAFFOLD, "publish", str(project), "--no-push", "--registry", "registry.invalid/acme",
                           "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]
    built = json.loads(done.stdout)
    try:
        check = subprocess.run([*SCAFFOLD, "rebuild-check", built["reference"], "--project", str(project)],
                               capture_output=True, text=True)
        assert check.returncode == 1, check.stderr[-4000:]
        lines = check.stdout.splitlines()
        assert lines[0].startswith(f"differs: {built['image_id']} rebuilt as sha256:")
        assert any("/tmp/built-at: " in line and "sha256" in line for line in lines[1:]), check.stdout
    finally:
        engine.images.remove(built["reference"], force=True)
        for volume in builder.docker("volume", "ls", "--quiet").stdout.split():
            if volume.startswith(f"{identity.namespace()}-buildah-project-clock-"):
                builder.docker("volume", "rm", volume)
