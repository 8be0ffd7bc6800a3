"""No secret in records: a git remote with credentials, a token-named environment variable and a -P value marked
secret are planted, and none of them appears in the store, the artifacts, the outputs or mlf's output."""

import shutil
import subprocess
import sys

import pytest

from mlfcore.entrypoint.train.redact import Redactor

from ..conftest import MLF
from ..reliability import note
from .projects import environment, runs

REMOTE_TOKEN = "ghp_plantedRemoteToken1234"
ENV_TOKEN = "plantedEnvToken5678"
PASSWORD = "plantedPassword9012"
TRAIN = ('import os, pathlib, sys\n'
         'pathlib.Path(os.environ["MLF_OUTPUT_DIR"], "a.txt").write_text(str(len(sys.argv[1])))\n')


def test_the_redactor_masks_each_kind():
    clean = Redactor([PASSWORD], {"HF_TOKEN": ENV_TOKEN, "PATH": "/usr/bin"})
    text = f"git https://bot:{REMOTE_TOKEN}@example.com/r.git --password {PASSWORD} {ENV_TOKEN} /usr/bin"
    assert clean.text(text) == "git https://***@example.com/r.git --password *** *** /usr/bin"
    assert clean.deep({"k": [PASSWORD, 1]}) == {"k": ["***", 1]}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_planted_secrets_appear_in_no_record(tmp_path, store_template):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN)
    (folder / "pyproject.toml").write_text(
        '[tool.mlf.train]\n'
        f'command = "{sys.executable} train.py {{password}}"\n'
        'parameters = { password = { type = "string", secret = true } }\n')
    shutil.copy(store_template, folder / "mlflow.db")
    for args in (["init", "-q"], ["remote", "add", "origin", f"https://bot:{REMOTE_TOKEN}@example.com/r.git"],
                 ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", "-C", str(folder), *args], check=True)
    env = environment(MY_API_TOKEN=ENV_TOKEN)
    result = subprocess.run([*MLF, "train", str(folder), "--no-lint", "--json", "-P", f"password={PASSWORD}"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    run = runs(folder)[0]
    assert run.data.params["mlf.param.password"] == "***" and "***" in run.data.tags["mlf.command"]
    written = b"".join(path.read_bytes() for path in folder.rglob("*")
                       if path.is_file() and ".git" not in path.parts and path.name not in ("train.py",))
    for secret in (REMOTE_TOKEN, ENV_TOKEN, PASSWORD):
        assert secret.encode() not in written, f"{secret} was recorded"
        assert secret not in result.stdout + result.stderr, f"{secret} was printed"
    note("fault", "secrets planted: git remote credentials, a *_TOKEN variable, a -P marked secret",
         "none in the store, artifacts, outputs or output")
