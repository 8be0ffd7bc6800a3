"""Image identity: the build manifest, the installed package sets, and a derived image recognised as derived."""

from __future__ import annotations

import json

from mlfcore.entrypoint import variables
from mlfcore.entrypoint.sysinfo import image

# The stanza format of dpkg's status file (deb-control(5)): a package that was removed but left its configuration
# behind has "deinstall ok config-files" and is not installed.
DPKG_STATUS = """Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u13
Description: GNU C Library
 a continuation line: Version: not-a-field

Package: tini
Status: install ok installed
Version: 0.19.0-1

Package: old-tool
Status: deinstall ok config-files
Version: 1.0
"""

BAKED = {variables.MLF_IMAGE_NAME: "mlfcore/xgboost", variables.MLF_IMAGE_TAG: "0.1.0-xgboost3.1.2-cpu",
         variables.MLF_IMAGE_VARIANT: "cpu", variables.MLF_IMAGE_LOCK_HASH: "ab" * 32}
INSTALLED = {"numpy": "2.3.5", "xgboost": "3.1.2"}


def _manifest(tmp_path, status, installed=INSTALLED, environ=BAKED):
    """A manifest as an image build writes it, for `installed` and the Debian packages in `status`."""
    folder = tmp_path / "opt-mlfcore"
    folder.mkdir(exist_ok=True)
    debian = image.debian_packages(status)
    manifest = {"manifest_version": 1, "image": image._baked(environ),
                "python": {"sha256": image.set_hash(installed), "packages": dict(installed)},
                "debian": {"sha256": image.set_hash(debian), "packages": debian}}
    (folder / image.MANIFEST_NAME).write_text(json.dumps(manifest))
    return folder


def test_dpkg_status_gives_the_installed_packages_only(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    assert image.debian_packages(status) == {"libc6": "2.36-9+deb12u13", "tini": "0.19.0-1"}
    assert image.debian_packages(tmp_path / "none") == {}


def test_the_image_the_manifest_names(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    found = image.collect(BAKED, _manifest(tmp_path, status), INSTALLED, status)
    assert found["derived"] is False and found["name"] == "mlfcore/xgboost" and found["differences"] == []
    assert image.reference(found) == "mlfcore/xgboost:0.1.0-xgboost3.1.2-cpu"


def test_one_more_package_makes_it_derived_and_unnamed(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    folder = _manifest(tmp_path, status)
    found = image.collect(BAKED, folder, {**INSTALLED, "matplotlib": "3.9.2"}, status)
    assert found["derived"] is True and found["name"] is None and found["tag"] is None
    assert found["parent"] == "mlfcore/xgboost:0.1.0-xgboost3.1.2-cpu"
    assert found["differences"] == ["+matplotlib==3.9.2"] and image.reference(found) is None
    # The host names it: the ref, with the digest, is what `docker run` gets.
    named = image.collect({**BAKED, variables.MLF_IMAGE_REF: "me/trainer:1", variables.MLF_IMAGE_DIGEST: "sha256:"
                           + "0" * 64}, folder, {**INSTALLED, "matplotlib": "3.9.2"}, status)
    assert image.reference(named) == "me/trainer:1@sha256:" + "0" * 64


def test_a_debian_package_or_a_changed_version_makes_it_derived(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    folder = _manifest(tmp_path, status)
    status.write_text(DPKG_STATUS + "\nPackage: git\nStatus: install ok installed\nVersion: 1:2.39.5-0+deb12u2\n")
    found = image.collect(BAKED, folder, {**INSTALLED, "numpy": "2.3.4"}, status)
    assert found["differences"] == ["numpy 2.3.5 -> 2.3.4", "debian +git==1:2.39.5-0+deb12u2"]


def test_a_derived_image_has_its_own_environment_key(tmp_path):
    from mlfcore.entrypoint.sysinfo import key

    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    folder = _manifest(tmp_path, status)

    def record(installed):
        return {"system": {"container": {"image": image.collect(BAKED, folder, installed, status)}}}

    parent, again = key.environment_key(record(INSTALLED)), key.environment_key(record(dict(INSTALLED)))
    derived = key.environment_key(record({**INSTALLED, "matplotlib": "3.9.2"}))
    assert parent["key"] == again["key"] and derived["key"] != parent["key"]


def test_the_constraints_file_pins_every_distribution(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    manifest = json.loads((_manifest(tmp_path, status) / image.MANIFEST_NAME).read_text())
    lines = [line for line in image.constraints(manifest).splitlines() if not line.startswith("#")]
    assert lines == ["numpy==2.3.5", "xgboost==3.1.2"]


def test_write_describes_this_environment(tmp_path):
    manifest = image.write(tmp_path)
    assert image.read_manifest(tmp_path) == json.loads((tmp_path / image.MANIFEST_NAME).read_text())
    # Read back here, the same environment is not derived from itself.
    assert image.collect({}, tmp_path)["derived"] is False
    assert "mlfcore==" in (tmp_path / image.CONSTRAINTS_NAME).read_text()
    assert manifest["python"]["sha256"] == image.set_hash(manifest["python"]["packages"])


BUILD = {"source": "https://github.com/mlfcore/mlfcore", "revision": "c" * 40, "source_date_epoch": 1795964455,
         "dirty": False, "image": "xgboost", "variant": "cpu", "arch": "x86_64",
         "chain": ["base:cpu", "xgboost:cpu"], "debian_snapshot": "20261206T152822Z"}


def _with_build(folder, build):
    path = folder / image.MANIFEST_NAME
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "build": build}))
    return folder


def test_the_manifest_records_the_build_inputs_the_build_passes(monkeypatch):
    monkeypatch.setattr(image.packages, "installed", lambda: dict(INSTALLED))
    built = image.build_manifest({**BAKED, variables.MLF_IMAGE_BUILD: json.dumps(BUILD)})
    assert built["build"] == BUILD
    assert image.build_manifest({**BAKED, variables.MLF_IMAGE_BUILD: "not json"})["build"] is None


def test_the_record_says_how_to_rebuild_the_image(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    found = image.collect(BAKED, _with_build(_manifest(tmp_path, status), BUILD), INSTALLED, status)
    assert found["build"] == BUILD
    lines = image.rebuild_lines(found)
    assert f"git checkout {'c' * 40}" in lines[1] and BUILD["source"] in lines[1]
    assert lines[2] == "  make os-base && make image/base VARIANT=cpu NO_CACHE=1 && make image/xgboost VARIANT=cpu NO_CACHE=1"
    assert "DEBIAN_SNAPSHOT=20261206T152822Z" in lines[3]


def test_a_derived_image_says_how_to_rebuild_its_parent_and_a_dirty_one_that_none_can(tmp_path):
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    folder = _with_build(_manifest(tmp_path, status), BUILD)
    derived = image.collect(BAKED, folder, {**INSTALLED, "matplotlib": "3.9.2"}, status)
    assert "its parent mlfcore/xgboost:0.1.0-xgboost3.1.2-cpu" in image.rebuild_lines(derived)[0]
    dirty = image.collect(BAKED, _with_build(folder, {**BUILD, "dirty": True}), INSTALLED, status)
    assert image.rebuild_lines(dirty) == [f"the image was built from uncommitted changes of commit {'c' * 12}: "
                                          "no rebuild gives it"]
    assert image.rebuild_lines(image.collect(BAKED, _manifest(tmp_path, status), INSTALLED, status)) == []
