"""mlfcore.scaffold.manifest_list: the list document, and a real round trip to the registry on 127.0.0.1 (TLS from a
test CA, htpasswd): a list written over a pushed image's digest is what the engine then pulls by tag."""

from __future__ import annotations

import hashlib
import json

import pytest

from mlfcore.scaffold import manifest_list, registry_client

AMD = "sha256:" + "a" * 64
ARM = "sha256:" + "b" * 64


@pytest.mark.parametrize("reference, parts", [
    ("ghcr.io/mlfcore/base:0.1.0-cpu", ("ghcr.io", "mlfcore/base", "0.1.0-cpu")),
    ("127.0.0.1:5000/mlfcore/base:cpu", ("127.0.0.1:5000", "mlfcore/base", "cpu")),
    ("mlfcore/base:cpu", ("registry-1.docker.io", "mlfcore/base", "cpu")),
    (f"127.0.0.1:5000/mlfcore/base@{AMD}", ("127.0.0.1:5000", "mlfcore/base", AMD)),
])
def test_split(reference, parts):
    assert manifest_list.split(reference) == parts


def test_docker_manifests_make_a_docker_list_with_each_platform():
    media_type, content = manifest_list.body([
        manifest_list.Entry("x86_64", AMD, manifest_list.DOCKER_MANIFEST, 1000),
        manifest_list.Entry("aarch64", ARM, manifest_list.DOCKER_MANIFEST, 1200)])
    document = json.loads(content)
    assert media_type == document["mediaType"] == manifest_list.DOCKER_LIST
    assert [(item["digest"], item["size"], item["platform"]) for item in document["manifests"]] == [
        (AMD, 1000, {"architecture": "amd64", "os": "linux"}),
        (ARM, 1200, {"architecture": "arm64", "os": "linux", "variant": "v8"})]


def test_an_oci_manifest_makes_an_oci_index():
    media_type, _ = manifest_list.body([manifest_list.Entry("x86_64", AMD, manifest_list.OCI_MANIFEST, 10)])
    assert media_type == manifest_list.OCI_INDEX


@pytest.mark.images
def test_a_list_over_a_pushed_digest_is_pulled_by_its_tag(engine, registry, base_image):
    secret = registry_client.Credentials(registry.username, registry.password)
    repository = f"{registry.host}/mlfcore-list-test/base"
    engine.images.get(base_image).tag(repository, "single")
    registry_client.login(engine, registry.host, secret)
    digest = registry_client.push(engine, f"{repository}:single", secret)
    listed = manifest_list.push_list(repository, ["listed", "listed-too"], {"x86_64": digest}, secret)
    client = manifest_list.Client(registry.host, "mlfcore-list-test/base", secret)
    answer = client.request("GET", "manifests/listed-too", headers={"Accept": manifest_list.DOCKER_LIST})
    assert "sha256:" + hashlib.sha256(answer.content).hexdigest() == listed
    assert [item["digest"] for item in answer.json()["manifests"]] == [digest]
    engine.images.remove(f"{repository}:single")
    pulled = engine.images.pull(f"{repository}:listed", auth_config=secret.auth_config())
    assert pulled.id == engine.images.get(base_image).id


@pytest.mark.images
def test_a_wrong_password_and_a_registry_that_is_down_are_one_line_errors(registry):
    wrong = registry_client.Credentials(registry.username, "not-the-password")
    with pytest.raises(registry_client.RegistryError, match="refused the credentials of user 'mlf-publisher'") as refused:
        manifest_list.push_list(f"{registry.host}/mlfcore-list-test/base", ["x"], {"x86_64": AMD}, wrong)
    assert "not-the-password" not in str(refused.value)
    with pytest.raises(registry_client.RegistryError, match="127.0.0.1:1 does not answer"):
        manifest_list.push_list("127.0.0.1:1/mlfcore/base", ["x"], {"x86_64": AMD}, wrong)
