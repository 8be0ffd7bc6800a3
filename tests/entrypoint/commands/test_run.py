"""`mlf run` as a user meets it: a real process, a real child."""

import json
import signal
import subprocess
import sys
import time

import pytest

from ..conftest import MLF, clean_environment, mlf

PY = sys.executable


def hash_of_abc(*flags):
    result = mlf("run", *flags, "--", PY, "-c", "print(hash('abc'))")
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def test_string_hashes_are_fixed_by_the_seed():
    assert hash_of_abc("--seed", "1") == hash_of_abc("--seed", "1")
    assert hash_of_abc("--seed", "1") != hash_of_abc("--seed", "2")


def test_without_mlf_string_hashes_vary():
    runs = {subprocess.run([PY, "-c", "print(hash('abc'))"], capture_output=True, text=True,
                           env=clean_environment()).stdout for _ in range(3)}
    assert len(runs) > 1


def test_the_child_sees_the_contract_environment():
    result = mlf("run", "--threads", "3", "--", PY, "-c",
                 "import os; print(os.environ['OMP_NUM_THREADS'], os.environ['CUBLAS_WORKSPACE_CONFIG'])")
    assert result.stdout.split() == ["3", ":4096:8"]


@pytest.mark.parametrize("name, value", [("CUBLAS_WORKSPACE_CONFIG", ":0:0"), ("PYTHONHASHSEED", "random"),
                                         ("OMP_NUM_THREADS", "4")])
def test_a_contradicting_environment_stops_the_run_with_exit_3(tmp_path, name, value):
    marker = tmp_path / "ran"
    result = mlf("run", "--", PY, "-c", f"open({str(marker)!r}, 'w')", env=clean_environment(**{name: value}))
    assert result.returncode == 3
    assert name in result.stderr and "--allow-nondeterministic" in result.stderr
    assert not marker.exists()


def test_thread_conflict_suggests_the_matching_flag():
    result = mlf("run", "--", PY, "-c", "pass", env=clean_environment(OMP_NUM_THREADS="4"))
    assert "--threads 4" in result.stderr


def test_allow_nondeterministic_runs_loudly_and_keeps_the_users_value(tmp_path):
    record = tmp_path / "record.json"
    result = mlf("run", "--allow-nondeterministic", "--record", str(record), "--", PY, "-c",
                 "import os; print(os.environ['OMP_NUM_THREADS'])", env=clean_environment(OMP_NUM_THREADS="4"))
    assert result.returncode == 0 and result.stdout.strip() == "4"
    assert "NOT covered by the determinism contract" in result.stderr
    written = json.loads(record.read_text())
    assert written["contract"]["nondeterministic"] is True
    assert written["contract"]["deviations"][0]["name"] == "OMP_NUM_THREADS"


def test_the_childs_exit_code_is_passed_through():
    assert mlf("run", "--", PY, "-c", "raise SystemExit(7)").returncode == 7


@pytest.mark.parametrize("flags", [["--threads", "0"], ["--seed", "-1"], ["--seed", "x"], ["--bogus"]])
def test_bad_flags_exit_2(flags):
    result = mlf("run", *flags, "--", PY, "-c", "pass")
    assert result.returncode == 2, result.stderr


def test_a_missing_command_exits_2_with_a_hint():
    assert mlf("run").returncode == 2
    result = mlf("run", "--", "no-such-program-mlf")
    assert result.returncode == 2 and "command not found: no-such-program-mlf" in result.stderr


def test_an_unknown_config_key_exits_2_naming_it(project):
    (project / "pyproject.toml").write_text("[tool.mlf]\nthreds = 2\n")
    result = mlf("run", "--project", str(project), "--", PY, "-c", "pass")
    assert result.returncode == 2 and "'threds'" in result.stderr


def test_config_gives_the_seed_and_flags_override_it(project):
    (project / "pyproject.toml").write_text("[tool.mlf]\nseed = 9\n")
    show = [PY, "-c", "import os; print(os.environ['PYTHONHASHSEED'])"]
    assert mlf("run", "--project", str(project), "--", *show).stdout.strip() == "9"
    assert mlf("run", "--project", str(project), "--seed", "4", "--", *show).stdout.strip() == "4"


@pytest.mark.stress
def test_sigterm_reaches_the_child(tmp_path):
    ready, got = tmp_path / "ready", tmp_path / "got"
    child = (
        "import signal, sys, time, pathlib\n"
        f"def handler(signum, frame):\n    pathlib.Path({str(got)!r}).write_text(str(signum)); sys.exit(42)\n"
        "signal.signal(signal.SIGTERM, handler)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([*MLF, "run", "--", PY, "-c", child], env=clean_environment(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline and process.poll() is None, "the child never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 42
    assert got.read_text() == str(int(signal.SIGTERM))


@pytest.mark.stress
def test_a_child_killed_by_a_signal_exits_128_plus_n():
    result = mlf("run", "--", PY, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    assert result.returncode == 128 + signal.SIGKILL


@pytest.mark.stress
def test_the_child_gets_sigpipe_back_and_no_mark_file_is_left(tmp_path):
    """Python ignores SIGPIPE in itself; the child must start with the default, as after a shell's exec (a `head`
    closing the pipe ends the writer). The kernel's SigIgn mask of the child says which signals it ignores."""
    result = mlf("run", "--no-lint", "--", "grep", "SigIgn", "/proc/self/status",
                 env={**clean_environment(), "TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    ignored = int(result.stdout.split()[1], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1)), result.stdout
    assert list(tmp_path.iterdir()) == []  # the bootstrap mark is mlf's scratch file, removed after the run


def test_a_python_child_that_skips_the_bootstrap_is_reported():
    result = mlf("run", "--", PY, "-I", "-c", "pass")
    assert result.returncode == 0 and "never ran mlf's bootstrap" in result.stderr
    assert "bootstrap" not in mlf("run", "--", PY, "-c", "pass").stderr


def test_a_program_that_cannot_start_exits_2(tmp_path):
    not_executable = tmp_path / "train.sh"
    not_executable.write_text("echo hi\n")
    result = mlf("run", "--no-lint", "--", str(not_executable))
    assert result.returncode == 2 and "cannot start" in result.stderr and "Traceback" not in result.stderr
    assert mlf("run", "--no-lint", "--", str(tmp_path)).returncode == 2  # a folder


def test_a_bad_record_path_is_refused_before_the_command_runs(tmp_path):
    marker = tmp_path / "ran"
    result = mlf("run", "--no-lint", "--record", str(tmp_path / "missing" / "r.json"), "--", PY, "-c",
                 f"open({str(marker)!r}, 'w')")
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not marker.exists()


def test_values_that_look_like_markup_are_shown_as_text():
    env = clean_environment(OMP_NUM_THREADS="[/x]")
    result = mlf("run", "--allow-nondeterministic", "--no-lint", "--", PY, "-c", "pass", env=env)
    assert result.returncode == 0 and "OMP_NUM_THREADS='[/x]'" in result.stderr
    shown = mlf("env", env=dict(env, COLUMNS="250", NO_COLOR="1"))
    assert shown.returncode == 0 and "[/x]" in shown.stdout
