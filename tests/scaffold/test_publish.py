"""`mlf-scaffold publish` and `make push/<name>` against a real registry on 127.0.0.1 (TLS, htpasswd): pushed, pulled
back by digest, run; wrong credentials and a registry that is down are one-line errors; the token is in no output,
no file and no process's argument list."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import commit_all, remove_project_storage
from .registry import free_port

pytestmark = pytest.mark.images
SCAFFOLD = [sys.executable, "-m", "mlfcore.scaffold.cli"]
PUSH = [sys.executable, "-m", "mlfcore.scaffold.images.push"]


@pytest.fixture(scope="module")
def project(tmp_path_factory, base_image):
    """A minimal project FROM our base; its version has a local part, which no Docker tag may carry."""
    folder = tmp_path_factory.mktemp("project")
    (folder / "pyproject.toml").write_text('[project]\nname = "hello-proj"\nversion = "1.0.0+local"\n'
                                           '[project.urls]\nSource = "https://example.org/hello-proj"\n')
    (folder / "Dockerfile").write_text(f"FROM {base_image}\nCOPY hello.py /workspace/hello.py\n")
    (folder / "hello.py").write_text("print('hello from the published image')\n")
    commit_all(folder)
    yield folder
    remove_project_storage("hello-proj")


class ArgvWatch:
    """Reads every process's /proc/<pid>/cmdline while a command runs: a secret must appear in none of them."""

    def __init__(self, secret: str):
        self.secret, self.seen, self.scans = secret.encode(), [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    if self.secret in cmdline.read_bytes():
                        self.seen.append(cmdline)
                except OSError:
                    pass
            self.scans += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _publish(*args: str, token: str | None, cwd: Path | None = None, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if k not in {"GHCR_TOKEN", "GITHUB_TOKEN", "GITHUB_ACTOR"}}
    if token is not None:
        env["GHCR_TOKEN"] = token
    return subprocess.run([*SCAFFOLD, "publish", *args], capture_output=True, text=True, env=env, cwd=cwd,
                          input=stdin, timeout=900)


def test_publish_pushes_and_the_digest_pulls_back_and_runs(engine, registry, project):
    with ArgvWatch(registry.password) as watch:
        done = _publish(str(project), "--registry", registry.host, "--username", registry.username,
                        "--format", "json", token=registry.password)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    name = f"{registry.host}/hello-proj"
    assert result["name"] == name and result["tags"] == ["1.0.0_local"]  # '+' -> '_' (identity.docker_tag)
    assert result["reference"] == f"{name}@{result['digest']}" and result["digest"].startswith("sha256:")
    # The token: in no argument list while it ran, no output, no file it could have written.
    assert watch.scans > 0 and not watch.seen
    assert registry.password not in done.stdout + done.stderr
    for folder in (project, Path.home() / ".docker"):
        for path in (p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            assert registry.password.encode() not in path.read_bytes(), path
    # Pulled back by digest (the local tag is gone first, so the pull is real) and run.
    engine.images.remove(f"{name}:1.0.0_local")
    auth = {"username": registry.username, "password": registry.password}
    pulled = engine.images.pull(result["reference"], auth_config=auth)
    assert result["reference"] in pulled.attrs["RepoDigests"]
    assert pulled.labels["org.opencontainers.image.source"] == "https://example.org/hello-proj"
    output = engine.containers.run(result["reference"], ["run", "--", "python", "hello.py"], remove=True)
    assert b"hello from the published image" in output


def test_password_stdin_and_text_output(registry, project):
    done = _publish(str(project), "--registry", registry.host, "--username", registry.username, "--tag", "stdin",
                    "--password-stdin", token=None, stdin=registry.password + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(f"{registry.host}/hello-proj@sha256:")
    assert registry.password not in done.stdout + done.stderr


def _one_line_error(done, *words):
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert not done.stdout


def without(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`mlf-scaffold ARGS` where `import MODULE` fails, as it does without the scaffold extra."""
    code = (f"import sys; sys.modules[{module!r}] = None; sys.argv[0] = 'mlf-scaffold'\n"
            "from mlfcore.scaffold.cli import main; main()")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_publish_without_the_scaffold_extra_names_it(tmp_path):
    # Needs no engine: the missing SDK is said before the engine is asked, and is bad usage, not an internal error.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0.1.0"\n'
                                             '[tool.mlf.publish]\nregistry = "ghcr.io/someone"\n')
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    done = without("docker", "publish", "--no-push", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    first, hint = done.stderr.strip().splitlines()
    assert first.startswith("error: ") and "docker" in first and "internal error" not in first, done.stderr
    assert "pip install 'mlfcore[scaffold]'" in hint and not done.stdout


def test_a_wrong_password_is_one_line_and_never_shown(registry, project):
    wrong = "not-the-token-" + registry.password[::-1]
    done = _publish(str(project), "--registry", registry.host, "--username", registry.username, token=wrong)
    _one_line_error(done, f"registry {registry.host} refused the credentials", registry.username)
    assert wrong not in done.stderr


def test_a_registry_that_is_down_is_one_line(project):
    host = f"127.0.0.1:{free_port()}"
    done = _publish(str(project), "--registry", host, "--username", "someone", token="x" * 20)
    _one_line_error(done, f"registry {host} does not answer", "--registry")


@pytest.mark.parametrize(("args", "words"), [
    (["--tag", "bad tag", "--registry", "127.0.0.1:1"], ["cannot be a Docker tag"]),
    (["--registry", "https://x"], ["is not a registry"]),
])
def test_bad_input_is_refused_before_any_build(project, args, words):
    _one_line_error(_publish(str(project), *args, "--no-push", token=None), *words)


def test_a_folder_without_a_project(tmp_path):
    _one_line_error(_publish(str(tmp_path), "--registry", "127.0.0.1:1", token=None), "pyproject.toml not found")


def test_our_base_is_pushed_and_an_image_builds_from_it_by_digest(engine, registry, base_image, tmp_path):
    # x86-64 only: the arm64 build that makes the published manifest list is heavy (tests/scaffold/images/test_arm64.py).
    done = subprocess.run([*PUSH, "base", "--arch", "x86_64", "--registry", registry.host, "--username",
                           registry.username, "--password-stdin", "--format", "json"], input=registry.password,
                          capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)
    assert result["repository"] == f"{registry.host}/mlfcore/base"
    assert result["refs"][0] == f"{registry.host}/mlfcore/{base_image.partition('/')[2]}"
    assert any(ref.rpartition(":")[2].startswith("sha-") for ref in result["refs"])
    assert registry.password not in done.stdout + done.stderr
    auth = {"username": registry.username, "password": registry.password}
    reference = f"{registry.host}/mlfcore/base@{result['digest']}"
    engine.images.pull(reference, auth_config=auth)
    # FROM the pushed base by digest: the engine's own builder takes the pulled image (pull=False).
    (tmp_path / "Dockerfile").write_text(f'FROM {reference}\nRUN python -c "import mlfcore.entrypoint"\n')
    derived, _ = engine.images.build(path=str(tmp_path), tag="mlfcore-publish-test/derived:1", pull=False, rm=True)
    try:
        assert derived.attrs["Config"]["Labels"]["io.mlfcore.image.tag"] == base_image.partition(":")[2]
        output = engine.containers.run(derived.id, ["run", "--", "python", "-c", "print('derived ok')"],
                                       remove=True)
        assert b"derived ok" in output
    finally:
        engine.images.remove(derived.id, force=True)


def test_pushing_an_image_that_is_not_built_says_what_to_build(engine):
    env = dict(os.environ, MLF_IMAGE_NAMESPACE="mlfcore-never-built")
    done = subprocess.run([*PUSH, "xgboost", "--variant", "cuda", "--registry", "127.0.0.1:1"], capture_output=True,
                          text=True, env=env, timeout=120)
    _one_line_error(done, "mlfcore-never-built/xgboost:", "is not built", "make image/xgboost VARIANT=cuda")


def test_a_release_tag_that_disagrees_with_the_version_is_refused(engine):
    env = dict(os.environ, GITHUB_REF_TYPE="tag", GITHUB_REF_NAME="v99.0.0")
    done = subprocess.run([*PUSH, "base", "--registry", "127.0.0.1:1"], capture_output=True, text=True, env=env,
                          timeout=120)
    _one_line_error(done, "git tag v99.0.0 does not match")


def test_publish_pins_the_k8s_job_and_the_run_records_that_image(engine, registry, project, tmp_path):
    """The rendered Job (the golden xgboost project's, naming this registry's image) gets the pushed digest in its
    image line, MLF_IMAGE_REF and MLF_IMAGE_DIGEST; a container started with that environment records them."""
    import shutil

    import yaml

    folder = tmp_path / "pinned"
    shutil.copytree(project, folder)
    golden = Path(__file__).resolve().parent / "project" / "golden" / "xgboost" / "deploy"
    shutil.copytree(golden, folder / "deploy")
    job = folder / "deploy" / "k8s" / "job.yaml"
    name = f"{registry.host}/hello-proj"
    job.write_text(job.read_text().replace("ghcr.io/acme/golden-xgboost", name))
    done = _publish(str(folder), "--registry", registry.host, "--username", registry.username, "--tag", "pinned",
                    "--format", "json", token=registry.password)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["updated"] == ["deploy/k8s/job.yaml"] and "pinned deploy/k8s/job.yaml" in done.stderr
    container = yaml.safe_load(job.read_text())["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert container["image"] == env["MLF_IMAGE_REF"] == result["reference"]
    assert env["MLF_IMAGE_DIGEST"] == result["digest"]
    # What the Job's pod would record: the image by digest, as the manifest passes it.
    auth = {"username": registry.username, "password": registry.password}
    engine.images.pull(result["reference"], auth_config=auth)
    output = engine.containers.run(result["reference"], ["sysinfo", "--fast", "--format", "json"], remove=True,
                                   environment={key: env[key] for key in ("MLF_IMAGE_REF", "MLF_IMAGE_DIGEST")})
    recorded = json.loads(output)["system"]["container"]["image"]
    assert (recorded["ref"], recorded["digest"]) == (result["reference"], result["digest"])
