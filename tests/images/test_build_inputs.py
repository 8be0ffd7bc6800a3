"""Bad input to `make image/<name>` (mlfcore.scaffold.images.build): one line that says what to do, exit 2, no tag touched."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import BUILD, ROOT, identity, table

from mlfcore.scaffold.images import build, builder, debian_lock, lock


def _build(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in __import__("os").environ.items()
             if key not in {"PIP_CERT", "PIP_FIND_LINKS"}}
    return subprocess.run([*BUILD, *args], capture_output=True, text=True, env={**clean, **env}, timeout=120)


def _one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]


def test_unknown_image():
    _one_line_error(_build("nope"), "unknown image 'nope'", "base")


def test_unknown_variant():
    _one_line_error(_build("pytorch", "--variant", "rocm"), "no variant 'rocm'", "cpu, cuda")


def test_missing_wheelhouse(tmp_path):
    _one_line_error(_build("pytorch", "--wheelhouse", str(tmp_path / "absent")), "WHEELHOUSE=", "folder of wheels")


@pytest.mark.parametrize("kind", ["absent", "folder", "empty"])
def test_unreadable_ca_bundle(tmp_path, kind):
    path = tmp_path / "ca.pem"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_text("")
    _one_line_error(_build("base", "--ca-bundle", str(path)), "CA_BUNDLE=", "readable")


def test_no_docker_engine(tmp_path):
    result = _build("base", "--base-image", "local/debian:bookworm", DOCKER_HOST=f"unix://{tmp_path}/none.sock")
    _one_line_error(result, "no Docker engine", "dockerd")


def test_make_reports_an_unknown_image():
    result = subprocess.run(["make", "-s", "image/nope"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "error: unknown image 'nope'" in result.stderr


def _last_error(captured: str, *words: str) -> str:
    """The one line a failed build ends with (the builder's own output comes before it)."""
    line = captured.strip().splitlines()[-1]
    assert line.startswith("error: "), captured[-3000:]
    for word in words:
        assert word in line, line
    return line


def _tagged(engine, name: str) -> dict[str, str]:
    return {ref: engine.images.get(ref).id for ref in identity.tags(name, "cpu") if engine.images.list(name=ref)}


@pytest.mark.images
def test_a_failed_build_changes_no_tag(engine, build_image, tmp_path, monkeypatch, capsys):
    """A lock whose hash does not match fails inside pip; every tag of the image still names what it named. The
    session's build comes first, so the layers before the pip step come from the builder's cache."""
    build_image("base")
    before = _tagged(engine, "base")
    real = table.image("base").lock_file("cpu")
    header = "".join(line + "\n" for line in real.read_text().splitlines() if line.startswith("#"))
    bad_lock = tmp_path / "requirements-cpu.lock"
    bad_lock.write_text(header + "pyyaml==6.0.3 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    monkeypatch.setattr(table.Image, "lock_file", lambda self, variant, arch=table.DEFAULT_ARCH: bad_lock)
    assert build.main(["base", *_settings()]) == 2
    _last_error(capsys.readouterr().err, "building base:cpu failed", "no tag was changed")
    assert _tagged(engine, "base") == before and before


def _settings() -> list[str]:
    """The settings the session's build used (the Makefile exports them), so the builder's cache serves."""
    options = []
    for option, variable in (("--base-image", "BASE_IMAGE"), ("--ca-bundle", "CA_BUNDLE")):
        if os.environ.get(variable):
            options += [option, os.environ[variable]]
    return options


@pytest.mark.images
def test_a_debian_version_gone_from_the_mirror_stops_the_build_with_one_line(engine, build_image, tmp_path,
                                                                             monkeypatch, capsys):
    """A locked version the mirror no longer has: one line naming the package and both fixes, no tag changed."""
    build_image("base")
    before = _tagged(engine, "base")
    real = debian_lock.read(debian_lock.path())
    gone = tmp_path / "debian.lock"
    gone.write_text(debian_lock.render(debian_lock.Lock(real.request, real.resolved, real.os,
                                                        {**real.install, "tini": "0.0-gone"}), "a test's lock"))
    monkeypatch.setattr(debian_lock, "path", lambda arch=table.DEFAULT_ARCH: gone)
    assert build.main(["base", *_settings()]) == 2
    _last_error(capsys.readouterr().err, "Debian package tini=0.0-gone (images/base/debian.lock) is not on the mirror",
                f"DEBIAN_SNAPSHOT={real.resolved}", "`make lock`")
    assert _tagged(engine, "base") == before and before


@pytest.mark.images
def test_an_os_base_not_made_by_make_os_base_is_refused(engine, capsys):
    """Another Debian image (here the builder's, Debian bookworm with more packages) is refused before any build."""
    other = builder.ensure()
    assert build.main(["base", "--base-image", other]) == 2
    _last_error(capsys.readouterr().err, f"{other} was not made by `make os-base`", "run `make os-base OS_BASE=")


def test_a_debian_lock_out_of_date_with_the_table_names_make_lock(monkeypatch, capsys):
    """Checked before anything is built or asked of the engine."""
    monkeypatch.setattr(debian_lock, "request", lambda builder=False: ["python3", "python3-venv", "tini", "curl"])
    assert build.main(["base"]) == 2
    _last_error(capsys.readouterr().err, "images/base/debian.lock is out of date", "curl", "run `make lock`")


def test_a_requirements_lock_out_of_date_with_pyproject_names_make_lock(monkeypatch, capsys):
    wanted = lock.requirements_of
    monkeypatch.setattr(lock, "requirements_of", lambda name, variant: [*wanted(name, variant), "tomli-w"])
    assert build.main(["xgboost", "--variant", "cpu"]) == 2
    _last_error(capsys.readouterr().err, "images/base/requirements-cpu.lock is out of date", "run `make lock`")


def test_make_reports_a_bad_debian_snapshot():
    result = subprocess.run(["make", "-s", "image/base", "DEBIAN_SNAPSHOT=last-year"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode != 0
    assert "error: DEBIAN_SNAPSHOT=last-year is not a snapshot time: use YYYYMMDDTHHMMSSZ" in result.stderr


def test_stage_takes_the_locked_wheels_and_skips_names_without_a_dash(tmp_path, monkeypatch):
    """stage() copies only the wheels the lock pins; a stray `foo.whl` (no '-') is skipped, not a crash. No Docker
    engine needed: a framework image's context holds no mlfcore wheel, so nothing is built."""
    spec = table.image("pytorch")
    variant = spec.variants[0]
    name, version = next(iter(lock.read_lock(spec.lock_file(variant)).items()))
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    locked = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    for file in (locked, "foo.whl", f"{name.replace('-', '_')}-0.0.0.dev0-py3-none-any.whl"):
        (wheelhouse / file).write_text("")
    monkeypatch.setattr(build, "STAGING", tmp_path / "staging")
    context = build.stage(spec, variant, str(wheelhouse))
    assert sorted(p.name for p in (context / "wheelhouse").iterdir()) == [locked]
