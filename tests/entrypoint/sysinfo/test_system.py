"""The system section: os-release, the C library, container detection and the image facts."""

from __future__ import annotations

import platform

from mlfcore.entrypoint import variables
from mlfcore.entrypoint.sysinfo import system


def test_os_release_is_parsed(tmp_path):
    path = tmp_path / "os-release"
    path.write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n# comment\n')
    assert system.os_release((path,)) == {"id": "debian", "version_id": "12",
                                          "pretty_name": "Debian GNU/Linux 12 (bookworm)", "source": str(path)}


def test_no_os_release_gives_a_reason(tmp_path):
    found = system.os_release((tmp_path / "missing",))
    assert found["id"] is None and "no os-release file" in found["reason"]


def test_container_evidence_and_image_facts(tmp_path):
    marker = tmp_path / ".dockerenv"
    marker.touch()
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("0::/system.slice/docker-0123.scope\n")
    environ = {variables.MLF_IMAGE_NAME: "mlfcore/pytorch", variables.MLF_IMAGE_TAG: "0.1.0-torch2.13.0-cpu",
               variables.MLF_IMAGE_VARIANT: "cpu", variables.MLF_IMAGE_LOCK_HASH: "ab" * 32}
    found = system.container(environ, files=(marker, tmp_path / "no-containerenv"), proc_1_cgroup=cgroup,
                             manifest_dir=tmp_path / "no-manifest")
    assert found["inside"] is True
    assert f"{marker} exists" in found["evidence"] and any("docker" in e for e in found["evidence"])
    # Without a build manifest (an image built before manifests) the baked variables still name it.
    assert {k: found["image"][k] for k in ("name", "tag", "variant", "lock_hash", "derived")} == {
        "name": "mlfcore/pytorch", "tag": "0.1.0-torch2.13.0-cpu", "variant": "cpu", "lock_hash": "ab" * 32,
        "derived": None}


def test_no_container(tmp_path):
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("0::/init.scope\n")
    found = system.container({}, files=(tmp_path / "nope",), proc_1_cgroup=cgroup, manifest_dir=tmp_path)
    assert found["inside"] is False and found["evidence"] == []
    assert {k: found["image"][k] for k in ("name", "tag", "ref", "manifest", "derived")} == {
        "name": None, "tag": None, "ref": None, "manifest": None, "derived": None}


def test_this_machine():
    section = system.collect()
    assert section["os"] == platform.system() and section["kernel"] == platform.release()
    assert section["python"]["version"] == platform.python_version()
    if platform.system() == "Linux":
        assert section["libc"]["name"] == "glibc" and section["libc"]["version"].count(".") >= 1
        assert section["distribution"]["id"]


def test_a_c_library_other_than_glibc_gives_a_reason(monkeypatch):
    def no_confstr(name):
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(system.os, "confstr", no_confstr)
    monkeypatch.setattr(system.platform, "libc_ver", lambda: ("", ""))
    assert system.libc() == {"name": None, "version": None,
                             "reason": "not glibc (musl, macOS or Windows): no version reported"}
