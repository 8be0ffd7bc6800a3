"""Faults during `mlf train`: the record stays true and no training outlives its mlf.

Each training command is a few lines of Python that write one file, so a fault, not a framework, is under test.
The tmpfs cases mount a 1-2 MiB file system (root only: CI runs as root; the reason is in tests/skips.toml).
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlfcore.entrypoint.supervise import lifetime

from ..conftest import MLF
from ..reliability import note
from .projects import environment, runs, script_project

# Writes its pid and a grandchild's into the run folder, then sleeps: killed mid-run, both must die with mlf.
SLEEPER = '''import os, pathlib, subprocess, sys, time
out = pathlib.Path(os.environ["MLF_OUTPUT_DIR"])
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
(out / "pids.tmp").write_text(f"{os.getpid()} {grandchild.pid}")
os.rename(out / "pids.tmp", out / "pids")
time.sleep(300)
'''
# Announces the training's pid in `ready`, written whole, then renamed: the test reads it as soon as it exists, and
# under load it was once read empty in between (int('') in a stress pass).
READY = '(out / "ready.partial").write_text(str(os.getpid()))\nos.rename(out / "ready.partial", out / "ready")\n'
# On SIGTERM: a checkpoint that takes argv[1] seconds to write, then exit 143 (what the step hook does).
SLOW_STOP = '''import os, pathlib, signal, sys, time
out = pathlib.Path(os.environ["MLF_OUTPUT_DIR"])
def stop(*_):
    time.sleep(float(sys.argv[1]))
    (out / "saved").write_text("checkpoint")
    sys.exit(143)
signal.signal(signal.SIGTERM, stop)
''' + READY + '''while True:
    time.sleep(0.1)
'''
# Ignores SIGINT, saying so in a file each time it arrives.
DEAF = '''import os, pathlib, signal, time
out = pathlib.Path(os.environ["MLF_OUTPUT_DIR"])
signal.signal(signal.SIGINT, lambda *_: (out / "interrupted").write_text("ignored"))
''' + READY + '''while True:
    time.sleep(0.1)
'''
QUICK = 'import os, pathlib\npathlib.Path(os.environ["MLF_OUTPUT_DIR"], "a.txt").write_text("a")\n'


def start(folder, **popen):
    return subprocess.Popen([*MLF, "train", str(folder), "--no-lint"], env=environment(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def wait_for(pattern_root: Path, pattern: str, child, timeout=120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(pattern_root.glob(pattern))
        if found:
            return found[0]
        assert child.poll() is None, child.communicate()[1][-3000:]
        time.sleep(0.05)
    raise AssertionError(f"{pattern} never appeared")


def gone(pid: int, timeout=15.0) -> bool:
    """True once `pid` has exited (a zombie waiting for init to reap it counts as exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def only_run(folder):
    found = runs(folder)
    assert len(found) == 1
    return found[0]


@pytest.mark.stress
@pytest.mark.parametrize("what", ["mlf", "mlf's process group"])
def test_sigkill_mid_run_kills_the_training_and_the_next_train_marks_the_run_failed(tmp_path, store_template, what):
    folder = script_project(tmp_path / "p", SLEEPER, store_template)
    child = start(folder, start_new_session=True)
    pids = [int(pid) for pid in wait_for(folder / "outputs", "*/pids", child).read_text().split()]
    if what == "mlf":
        child.kill()
    else:
        os.killpg(child.pid, signal.SIGKILL)
    child.communicate()
    assert all(gone(pid) for pid in pids), "a training process outlived its mlf"
    assert only_run(folder).info.status == "RUNNING"  # true so far: nobody recorded its end
    (folder / "train.py").write_text(QUICK)
    again = start(folder)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-3000:]
    dead = [run for run in runs(folder) if run.info.run_id in err]
    assert "marked FAILED" in err and len(dead) == 2
    states = {run.info.status for run in runs(folder)}
    assert states == {"FAILED", "FINISHED"}
    assert all("mlf.fingerprint" in run.data.tags for run in runs(folder) if run.info.status == "FINISHED")
    note("fault", f"SIGKILL to {what} mid-run", "training and its grandchild die; the next `mlf train` marks the "
                                                "run FAILED and says so")


@pytest.mark.stress
def test_sigkill_to_the_training_group_marks_the_run_killed(tmp_path, store_template):
    folder = script_project(tmp_path / "p", SLEEPER, store_template)
    child = start(folder)
    pids = [int(pid) for pid in wait_for(folder / "outputs", "*/pids", child).read_text().split()]
    os.killpg(os.getpgid(pids[0]), signal.SIGKILL)
    _, err = child.communicate(timeout=300)
    assert child.returncode == 128 + signal.SIGKILL, err[-3000:]
    run = only_run(folder)
    assert run.info.status == "KILLED" and "mlf.fingerprint" not in run.data.tags
    note("fault", "SIGKILL to the training's process group mid-run", f"mlf exits {128 + signal.SIGKILL}, run KILLED")


@pytest.mark.stress
def test_sigterm_waits_for_a_training_under_a_shell_to_write_its_checkpoint(tmp_path, store_template):
    """A command with shell syntax (a multi-line MLproject command, `&&`) runs under /bin/sh, which SIGTERM ends at
    once while the Python under it writes its checkpoint. mlf used to SIGKILL the group lifetime.GRACE_S after the
    shell ended; the checkpoint here takes longer than that, and must still be written."""
    folder = script_project(tmp_path / "p", SLOW_STOP, store_template)
    command = f"cd . && {sys.executable} train.py {lifetime.GRACE_S + 3}"
    (folder / "pyproject.toml").write_text(f'[tool.mlf.train]\ncommand = "{command}"\n')
    child = start(folder)
    wait_for(folder / "outputs", "*/ready", child)
    child.send_signal(signal.SIGTERM)  # to mlf, as tini or a scheduler sends it
    _, err = child.communicate(timeout=120)
    assert child.returncode == 143, err[-3000:]
    assert list((folder / "outputs").glob("*/saved")), "the training was killed before its checkpoint was written"
    assert only_run(folder).info.status == "KILLED"
    note("fault", "SIGTERM to mlf while a training under /bin/sh needs longer than mlf's own grace to checkpoint",
         "mlf waits for the whole group; the checkpoint is written, exit 143, run KILLED")


@pytest.mark.stress
def test_a_second_ctrl_c_kills_a_training_that_ignores_the_first(tmp_path, store_template):
    """After a stop signal mlf waits for the whole group however long it takes; Ctrl-C pressed again ends that."""
    folder = script_project(tmp_path / "p", DEAF, store_template)
    child = start(folder)
    pid = int(wait_for(folder / "outputs", "*/ready", child).read_text())
    child.send_signal(signal.SIGINT)
    wait_for(folder / "outputs", "*/interrupted", child)  # passed on, and ignored: mlf goes on waiting
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGKILL, err[-3000:]
    assert gone(pid) and only_run(folder).info.status == "KILLED"
    note("fault", "Ctrl-C twice on `mlf train` whose training ignores SIGINT", "the second kills the group; exit 137")


def test_a_child_that_ends_the_run_itself_is_not_finished_without_a_fingerprint(tmp_path, store_template):
    """MLflow's end_run() in the child sets FINISHED; a training that then fails must not stay FINISHED."""
    script = ('import mlflow, sys\nmlflow.start_run()\nmlflow.end_run()\nsys.exit(3)\n')
    folder = script_project(tmp_path / "p", script, store_template)
    result = start(folder)
    _, err = result.communicate(timeout=300)
    assert result.returncode == 3, err[-3000:]
    assert only_run(folder).info.status == "FAILED"


def _tmpfs(folder: Path, size: str):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)


@pytest.fixture
def mounts():
    mounted = []
    yield mounted
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


# Writes 3 MiB: more than the 2 MiB tmpfs holds.
BIG = 'import os, pathlib\npathlib.Path(os.environ["MLF_OUTPUT_DIR"], "big.bin").write_bytes(b"x" * (3 << 20))\n'
# Writes 1.5 MiB: fits where it is written, not twice into the 2 MiB artifact store.
MEDIUM = ('import os, pathlib\nfor name in ("a.bin", "b.bin"):\n'
          '    pathlib.Path(os.environ["MLF_OUTPUT_DIR"], name).write_bytes(b"x" * (3 << 19))\n')


def test_a_full_disk_during_training_fails_the_run(tmp_path, store_template, mounts):
    folder = script_project(tmp_path / "p", BIG, store_template)
    _tmpfs(folder / "outputs", "2m")
    mounts.append(folder / "outputs")
    result = start(folder)
    _, err = result.communicate(timeout=300)
    assert result.returncode == 1 and "No space left on device" in err, err[-3000:]
    run = only_run(folder)
    assert run.info.status == "FAILED" and "mlf.fingerprint" not in run.data.tags
    note("fault", "disk full (2 MiB tmpfs) during training", "the training's exit code, run FAILED")


def test_a_full_disk_during_final_logging_fails_the_run(tmp_path, store_template, mounts):
    folder = script_project(tmp_path / "p", MEDIUM, store_template)
    _tmpfs(folder / "mlruns", "2m")
    mounts.append(folder / "mlruns")
    result = start(folder)
    _, err = result.communicate(timeout=300)
    assert result.returncode == 1, err[-3000:]
    assert "could not be recorded" in err and "internal error" not in err
    run = only_run(folder)
    assert run.info.status == "FAILED" and "mlf.fingerprint" not in run.data.tags
    note("fault", "disk full (2 MiB tmpfs) while the results are logged", "exit 1 with the reason, run FAILED")


@pytest.mark.parametrize("kind", ["a file", "read-only"])
def test_an_unusable_outputs_folder_is_refused_before_training(tmp_path, store_template, mounts, kind):
    folder = script_project(tmp_path / "p", QUICK, store_template)
    if kind == "a file":
        (folder / "outputs").write_text("")
    else:  # read-only for root too: a read-only bind mount
        if os.geteuid() != 0:
            pytest.skip("a read-only bind mount needs root")
        (folder / "outputs").mkdir()
        subprocess.run(["mount", "--bind", "-o", "ro", str(folder / "outputs"), str(folder / "outputs")],
                       check=True)
        mounts.append(folder / "outputs")
    result = start(folder)
    _, err = result.communicate(timeout=300)
    assert result.returncode == 2 and "outputs" in err and "training " not in err, err[-3000:]
    assert runs(folder) == []
    note("bad input", f"the outputs folder is {kind}", "exit 2 before a run exists")


# Writes its own run id into the declared output, slowly: overlapping runs would swap their files.
DECLARED = '''import os, pathlib, time
path = pathlib.Path("model.txt")
path.write_text(os.environ["MLFLOW_RUN_ID"])
time.sleep(2)
path.write_text(path.read_text() + "\\n" + os.environ["MLFLOW_RUN_ID"])
'''


@pytest.mark.stress
def test_overlapping_runs_with_declared_outputs_fingerprint_their_own_files(tmp_path, store_template):
    folder = script_project(tmp_path / "p", DECLARED, store_template, extra='outputs = ["model.txt"]')
    children = [start(folder) for _ in range(2)]
    results = [child.communicate(timeout=600) for child in children]
    assert [child.returncode for child in children] == [0, 0], [err[-2000:] for _, err in results]
    summaries = {}
    for run in runs(folder):
        assert run.info.status == "FINISHED"
        copy = folder / "outputs" / run.info.run_id / "model.txt"
        assert copy.read_text() == f"{run.info.run_id}\n{run.info.run_id}"
        summaries[run.info.run_id] = run.data.tags["mlf.fingerprint"]
    assert len(set(summaries.values())) == 2
    note("fault", "two overlapping runs with declared outputs", "each fingerprints its own files (runs wait for "
                                                               "each other)")


def test_the_fingerprint_manifest_is_logged(tmp_path, store_template):
    folder = script_project(tmp_path / "p", QUICK, store_template)
    child = start(folder)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err[-3000:]
    run = only_run(folder)
    manifest = folder / "mlruns" / "p" / run.info.run_id / "artifacts" / "mlf" / "fingerprint.json"
    assert json.loads(manifest.read_text())["fingerprint"] == run.data.tags["mlf.fingerprint"]
    assert not list((folder / "outputs" / ".owners").iterdir())
