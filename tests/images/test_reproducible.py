"""Reproducible builds: the same commit gives the same image, built again later without any cache and from
another build folder; its labels carry the build inputs a rebuild needs; its Debian packages are the lock's.

The base is built twice (the session's build, and one here in a fresh builder storage): the one rebuild the CI
budget allows. The framework images' rebuilds are heavy (tests/images/test_rebuild_heavy.py).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import datetime, timezone

import pytest
from conftest import BUILD, ROOT, identity, run

from mlfcore.entrypoint import files
from mlfcore.scaffold import source
from mlfcore.scaffold.images import builder, debian_lock, os_base

FOR_IMAGE = "base"
DPKG = ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}${Package}=${Version}\\n"]


def _settings() -> list[str]:
    """The build settings the Makefile exports, as build options (the session's build used the same)."""
    options = []
    for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE"),
                             ("--base-image", "BASE_IMAGE")):
        if os.environ.get(variable):
            options += [option, os.environ[variable]]
    return options


@pytest.mark.images
def test_the_base_rebuilt_without_cache_elsewhere_is_the_same_image(engine, build_image, tmp_path):
    """No cached layer, an empty builder storage, another build folder, minutes later: the same image id."""
    original = engine.images.get(build_image("base")).id
    scratch = f"{identity.namespace()}/reproducible-test:{uuid.uuid4().hex[:12]}"
    done = subprocess.run([*BUILD, "base", "--fresh-storage", "--no-tag", scratch, "--context-dir",
                           str(tmp_path / "elsewhere"), *_settings()], capture_output=True, text=True)
    try:
        assert done.returncode == 0, done.stderr[-4000:]
        assert builder.image_id(scratch) == original
    finally:
        builder.docker("image", "rm", scratch)


def _labels(engine, image) -> dict:
    return engine.images.get(image.ref).attrs["Config"]["Labels"]


def test_the_labels_carry_the_build_inputs(engine, image):
    inputs = identity.build_inputs(_labels(engine, image))
    epoch = source.epoch(ROOT)
    assert inputs["revision"] == source.revision(ROOT)
    assert inputs["epoch"] == str(epoch)
    assert inputs["created"] == datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert inputs["builder"] == builder.label() and inputs["builder"].startswith("buildah=1.28")
    assert inputs["debian_lock"] == files.sha256(debian_lock.path())
    assert inputs["debian_snapshot"] == debian_lock.read(debian_lock.path()).resolved
    assert inputs["dirty"] in {"true", "false"}
    os_name, _, os_id = inputs["os_base"].partition("@")
    assert builder.image_id(os_name) == os_id


def test_the_image_was_created_at_the_commits_time(engine, image):
    attrs = engine.images.get(image.ref).attrs
    assert attrs["Created"].startswith(_labels(engine, image)[identity.BUILD_LABELS["created"]].rstrip("Z"))


def _installed(result) -> dict[str, str]:
    assert result.exit_code == 0, result.stderr
    return dict(line[3:].split("=", 1) for line in result.stdout.splitlines() if line.startswith("ii "))


def test_the_debian_packages_are_the_locks(engine, image):
    """dpkg's whole set in the image is the lock's: the OS base's packages as apt changed them, and apt's."""
    lock = debian_lock.read(debian_lock.path())
    assert _installed(run(engine, image, *DPKG[1:], entrypoint=DPKG[:1])) == lock.expected()


def test_the_os_base_has_the_locks_os_section_and_not_the_rest(engine):
    """The OS base the images start FROM has exactly [os]; the same comparison fails there for the whole set
    (python3 and the rest of [install] are missing): the check above can fail."""
    base = os.environ.get("BASE_IMAGE") or os_base.default_tag()
    output = engine.containers.run(base, DPKG, remove=True).decode()
    installed = dict(line[3:].split("=", 1) for line in output.splitlines() if line.startswith("ii "))
    lock = debian_lock.read(debian_lock.path())
    assert installed == lock.os
    assert installed != lock.expected() and "python3" not in installed


def test_apt_reads_the_snapshot_sources_a_debian_snapshot_build_uses(engine, tmp_path):
    """DEBIAN_SNAPSHOT=<time>: apt in the OS base fetches from Debian's snapshot archive at that time, for the
    suite, its updates and its security updates (apt-get's --print-uris: no network needed)."""
    when = debian_lock.read(debian_lock.path()).resolved
    (tmp_path / "debian.sources").write_text(debian_lock.sources(when))
    base = os.environ.get("BASE_IMAGE") or os_base.default_tag()
    output = engine.containers.run(base, ["apt-get", "-o", "Dir::Etc::SourceList=/dev/null", "-o",
                                          "Dir::Etc::SourceParts=/apt", "update", "--print-uris"],
                                   volumes={str(tmp_path): {"bind": "/apt", "mode": "ro"}}, remove=True).decode()
    uris = {line.split()[0].strip("'") for line in output.splitlines() if line.startswith("'")}
    archive = "http://snapshot.debian.org/archive"
    assert {f"{archive}/debian/{when}/dists/bookworm/InRelease",
            f"{archive}/debian/{when}/dists/bookworm-updates/InRelease",
            f"{archive}/debian-security/{when}/dists/bookworm-security/InRelease"} <= uris
    assert not [uri for uri in uris if not uri.startswith(archive)]
