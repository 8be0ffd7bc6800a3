"""mlfcore.scaffold.deploy_refs on the rendered Kubernetes manifests (the golden pytorch project's): the published
image's digest goes into the image line, MLF_IMAGE_REF and MLF_IMAGE_DIGEST; other images and files stay as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mlfcore.scaffold import deploy_refs

GOLDEN = Path(__file__).resolve().parent / "project" / "golden" / "pytorch"
NAME = "ghcr.io/acme/golden-pytorch"
DIGEST = "sha256:" + "1f" * 32


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(GOLDEN / "deploy", tmp_path / "deploy")
    return tmp_path


def _containers(path: Path) -> list[dict]:
    document = yaml.safe_load(path.read_text())
    if document["kind"] == "Job":
        return document["spec"]["template"]["spec"]["containers"]
    return document["spec"]["pytorchReplicaSpecs"]["Master"]["template"]["spec"]["containers"]


def test_every_manifest_naming_the_image_is_pinned_with_the_records_variables(project):
    before = {path: path.read_text() for path in project.rglob("*") if path.is_file()}
    changed = deploy_refs.update(project, NAME, DIGEST)
    assert changed == [Path("deploy/k8s/job.yaml"), Path("deploy/k8s/pytorchjob.yaml")]
    for path in changed:
        (container,) = _containers(project / path)
        env = {item["name"]: item["value"] for item in container["env"]}
        assert container["image"] == env["MLF_IMAGE_REF"] == f"{NAME}@{DIGEST}"
        assert env["MLF_IMAGE_DIGEST"] == DIGEST
        # Only those three values changed: comments, the contract and the layout are the template's.
        old, new = before[project / path].splitlines(), (project / path).read_text().splitlines()
        assert len(old) == len(new) and sum(a != b for a, b in zip(old, new)) == 3
    assert (project / "deploy/slurm/train.sbatch").read_text() == before[project / "deploy/slurm/train.sbatch"]
    assert not list(project.rglob(".*.yaml.*"))  # no temporary file left beside them


def test_a_second_publish_moves_the_pin_and_another_image_is_left_alone(project):
    deploy_refs.update(project, NAME, DIGEST)
    newer = "sha256:" + "2e" * 32
    assert deploy_refs.update(project, NAME, newer) == [Path("deploy/k8s/job.yaml"), Path("deploy/k8s/pytorchjob.yaml")]
    assert DIGEST not in (project / "deploy/k8s/job.yaml").read_text()
    # A look-alike name (a longer repository, another registry) is another image.
    assert deploy_refs.update(project, "ghcr.io/acme/golden", DIGEST) == []
    assert deploy_refs.update(project, "127.0.0.1:5000/acme/golden-pytorch", DIGEST) == []
    assert deploy_refs.update(project, "acme/golden-pytorch", DIGEST) == []  # Docker Hub's, not GHCR's
    assert deploy_refs.update(project, NAME, newer) == []  # already pinned: nothing rewritten


def test_a_project_without_deploy_files_and_a_bad_digest(tmp_path):
    assert deploy_refs.update(tmp_path, NAME, DIGEST) == []
    with pytest.raises(ValueError, match="not a sha256 digest"):
        deploy_refs.update(tmp_path, NAME, "sha256:abc")
