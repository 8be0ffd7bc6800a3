"""The images carry the runtime (`mlf`) and not the host side (mlfcore.scaffold: building, publishing,
provisioning engines), in the base and in every image built FROM it; and they are labelled as identity says."""

from __future__ import annotations

from conftest import identity, run

FOR_IMAGE = "base"


def test_scaffold_is_not_installed_but_mlf_works(engine, image):
    missing = run(engine, image, "-c", "import mlfcore.scaffold", entrypoint=["python"])
    assert missing.exit_code == 1 and "No module named 'mlfcore.scaffold'" in missing.stderr
    works = run(engine, image, "-c", "import mlfcore.entrypoint.cli; print('ok')", entrypoint=["python"])
    assert (works.exit_code, works.stdout.strip()) == (0, "ok"), works.stderr
    assert run(engine, image, "--help").exit_code == 0
    assert run(engine, image, "-c", "mlf-scaffold", entrypoint=["bash"]).exit_code == 127


def test_labels_name_the_source_and_the_base_digest(engine, image):
    labels = engine.images.get(image.ref).labels
    assert labels["org.opencontainers.image.source"] == identity.source_url()
    assert labels["org.opencontainers.image.base.digest"].startswith("sha256:")
    if image.spec.parent:  # a framework image names the parent it was built FROM, by its id here
        parent = identity.parent_ref(image.name, image.variant)
        assert labels["org.opencontainers.image.base.name"] == parent
        assert labels["org.opencontainers.image.base.digest"] == engine.images.get(parent).id


def test_build_manifest_lists_the_locked_python_packages_and_debian_ones(engine, image):
    from mlfcore.scaffold.images import lock, manifest

    found = manifest.collect(engine, image.ref)
    assert found["id"] == engine.images.get(image.ref).id
    assert found["python"]["mlfcore"] == identity.mlfcore_version()
    for link in image.spec.name, *([image.spec.parent] if image.spec.parent else []):
        spec = identity.table.image(link)
        variant = image.variant if image.variant in spec.variants else spec.variants[0]
        pins = lock.read_lock(spec.lock_file(variant))
        assert {name: found["python"].get(name) for name in pins} == pins, link
    assert {"tini", "python3"} <= set(found["debian"])
