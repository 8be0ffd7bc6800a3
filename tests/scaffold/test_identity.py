"""Image identity: names, registries, tags, the release check and the labels (mlfcore.scaffold.identity)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlfcore.scaffold import identity
from mlfcore.scaffold.images import table

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in (identity.NAMESPACE_VARIABLE, identity.REGISTRY_VARIABLE, *identity.DOCKERHUB_VARIABLES,
                 "GITHUB_REF_TYPE", "GITHUB_REF_NAME", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)


def test_local_tags_full_first_then_moving():
    assert identity.tags("tensorflow", "cpu") == [
        f"mlfcore/tensorflow:{VERSION}-tensorflow2.21.0-cpu", f"mlfcore/tensorflow:{VERSION}-cpu",
        "mlfcore/tensorflow:cpu", f"mlfcore/tensorflow:{VERSION}", "mlfcore/tensorflow:latest"]


@pytest.mark.parametrize(("image", "default"), [("pytorch", "cuda"), ("xgboost", "cuda"), ("tensorflow", "cpu")])
def test_latest_and_plain_tags_name_the_measured_default_variant(image, default):
    """pytorch and xgboost: the cuda build trains the example on a CPU-only host to the cpu build's fingerprint
    (measured; images/images.toml); tensorflow's cuda build was not measured, so it stays cpu."""
    other = {"cpu": "cuda", "cuda": "cpu"}[default]
    chosen, small = identity.tags(image, default), identity.tags(image, other)
    assert f"mlfcore/{image}:latest" in chosen and f"mlfcore/{image}:{VERSION}" in chosen
    assert not {f"mlfcore/{image}:latest", f"mlfcore/{image}:{VERSION}"} & set(small)
    assert f"mlfcore/{image}:{other}" in small


def test_namespace_override_keeps_checkouts_apart(monkeypatch):
    monkeypatch.setenv(identity.NAMESPACE_VARIABLE, "someone")
    assert identity.tags("base", "cpu", version="9.9.9")[0] == "someone/base:9.9.9-python3.11-cpu"
    assert identity.parent_ref("pytorch", "cuda") == f"someone/base:{VERSION}-python3.11-cpu"


@pytest.mark.parametrize(("registry", "expected"), [
    (None, "ghcr.io/mlfcore/base"),
    ("ghcr.io", "ghcr.io/mlfcore/base"),
    ("ghcr.io/someone/", "ghcr.io/someone/base"),
    ("127.0.0.1:5000", "127.0.0.1:5000/mlfcore/base"),
    ("docker.io", "mlfcore/base"),
    ("docker.io/someone", "someone/base"),
])
def test_reference_in_a_registry(registry, expected):
    assert identity.reference("base", "cpu", registry) == f"{expected}:{VERSION}-python3.11-cpu"


def test_default_registry_is_settable(monkeypatch):
    monkeypatch.setenv(identity.REGISTRY_VARIABLE, "registry.example.org/ml")
    assert identity.reference("base", "cpu").startswith("registry.example.org/ml/base:")


@pytest.mark.parametrize("bad", ["", "  ", "ghcr.io/a b", "https://ghcr.io"])
def test_a_registry_that_is_none_is_refused(bad):
    with pytest.raises(identity.IdentityError, match="is not a registry"):
        identity.registry_prefix(bad or " ")


def test_docker_hub_joins_only_when_its_credentials_are_configured(monkeypatch):
    assert identity.publish_registries() == ["ghcr.io/mlfcore"]
    monkeypatch.setenv("DOCKERHUB_USERNAME", "bot")
    assert identity.publish_registries() == ["ghcr.io/mlfcore"]
    monkeypatch.setenv("DOCKERHUB_TOKEN", "x")
    assert identity.publish_registries() == ["ghcr.io/mlfcore", "mlfcore"]


def test_published_refs_carry_the_immutable_sha_tags():
    refs = identity.published_refs("pytorch", "cuda", "ghcr.io", revision="0123456789abcdef")
    assert refs[:3] == [f"ghcr.io/mlfcore/pytorch:{VERSION}-torch2.13.0-cuda",
                        "ghcr.io/mlfcore/pytorch:sha-0123456789ab-cuda", "ghcr.io/mlfcore/pytorch:sha-0123456789ab"]
    cpu = identity.published_refs("pytorch", "cpu", "ghcr.io", revision="0123456789abcdef")
    assert "ghcr.io/mlfcore/pytorch:sha-0123456789ab" not in cpu  # one image per immutable tag


@pytest.mark.parametrize(("version", "tag"), [("1.2.0", "1.2.0"), ("1.2.0+cpu", "1.2.0_cpu"),
                                              ("1.0.dev3+g1234.dirty", "1.0.dev3_g1234.dirty")])
def test_docker_tag_rule(version, tag):
    assert identity.docker_tag(version) == tag


@pytest.mark.parametrize("bad", ["", ".1", "-1", "1/2", "a" * 129, "1 2"])
def test_docker_tag_refuses_what_no_rule_maps(bad):
    with pytest.raises(identity.IdentityError, match="cannot be a Docker tag"):
        identity.docker_tag(bad)


def test_release_version_checks_the_git_tag(monkeypatch):
    assert identity.release_version(f"v{VERSION}") == VERSION
    assert identity.release_version("") == VERSION
    with pytest.raises(identity.IdentityError, match=f"does not match mlfcore's version {VERSION}"):
        identity.release_version("v99.0.0")
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    monkeypatch.setenv("GITHUB_REF_NAME", "v99.0.0")
    with pytest.raises(identity.IdentityError, match="bump"):
        identity.release_version()


def test_labels_carry_the_source_url_from_pyproject_and_the_base_digest():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    labels = identity.labels("xgboost", "cpu", base_name="mlfcore/base:x", base_digest="sha256:" + "a" * 64,
                             lock_hash="b" * 64, revision="c" * 40)
    assert labels["org.opencontainers.image.source"] == urls["Source"]
    assert labels["org.opencontainers.image.base.digest"] == "sha256:" + "a" * 64
    assert labels["org.opencontainers.image.revision"] == "c" * 40
    assert labels["io.mlfcore.lock.sha256"] == "b" * 64
    assert labels["io.mlfcore.image.tag"] == f"{VERSION}-xgboost3.2.0-cpu"


def test_every_image_has_a_default_variant_it_builds():
    for spec in table.IMAGES.values():
        assert spec.default_variant in spec.variants, spec.name


def test_table_cli_answers_and_refuses():
    run = [sys.executable, "-m", "mlfcore.scaffold.images.table"]
    names = subprocess.run([*run, "names"], capture_output=True, text=True, check=True).stdout.split()
    assert names == list(table.IMAGES) and names[0] == "base"
    bad = subprocess.run([*run, "tags", "nope", "cpu"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        f"error: unknown image 'nope': choose one of {', '.join(table.IMAGES)} (images/images.toml)"]
