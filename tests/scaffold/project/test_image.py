"""End to end, pytorch: render a project FROM our locally built pytorch image, build the project's image, and run
`mlf verify` inside it — two fresh trainings, identical fingerprints, under the image's contract, and the fingerprint
the project committed as `[tool.mlf] expect` (its template's golden value, docs/PROOF.md), as its build workflow does.

The framework image is built first through mlfcore.scaffold.images.build (with the build cache, as `make image/pytorch` does),
so the test always sees the current code; MLF_IMAGE_NAMESPACE, WHEELHOUSE, CA_BUNDLE and BASE_IMAGE come from the
environment as the Makefile exports them.
"""

from __future__ import annotations

import json
import tomllib
import uuid

import pytest

from mlfcore.entrypoint import contract
from mlfcore.scaffold.golden import check

from .conftest import scaffold


@pytest.fixture(scope="module")
def pytorch_image(build_image) -> str:
    build_image("base")
    return build_image("pytorch")


@pytest.mark.images
def test_rendered_pytorch_project_verifies_inside_its_image(engine, pytorch_image, tmp_path):
    rendered = scaffold("new", "e2e-pytorch", "--framework", "pytorch", "--no-input", "--owner", "acme",
                        "--from-image", pytorch_image, cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    project = tmp_path / "e2e-pytorch"
    assert f"FROM {pytorch_image}\n" in (project / "Dockerfile").read_text()
    tag = f"mlfcore-e2e-{uuid.uuid4().hex[:12]}:test"
    engine.images.build(path=str(project), tag=tag, rm=True, forcerm=True)
    container = None
    try:
        container = engine.containers.run(tag, ["verify", "--json"], detach=True)  # the build workflow's command
        status = container.wait(timeout=600)
        stdout = container.logs(stdout=True, stderr=False).decode()
        stderr = container.logs(stdout=False, stderr=True).decode()
    finally:
        if container is not None:
            container.remove(force=True)
        engine.images.remove(tag, force=True)
    assert status["StatusCode"] == 0, stdout[-2000:] + stderr[-4000:]
    report = json.loads(stdout)
    fingerprints = {run["fingerprint"] for run in report["runs"]}
    assert report["identical"] is True and len(report["runs"]) == 2
    assert len(fingerprints) == 1 and None not in fingerprints
    assert {run["experiment"] for run in report["runs"]} == {"e2e-pytorch"}  # the project's MLproject, not the example
    # The value `new` committed is the one the runs give (and the golden table's, whatever the project's name).
    committed = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["mlf"]["expect"]
    assert committed == check.template_value("pytorch", "cpu", contract.machine_arch())
    assert report["matches_expected"] is True and report["expected"] == committed
    assert report["expected_from"] == "/workspace/pyproject.toml: [tool.mlf] expect"
