"""Framework and CUDA library versions: metadata always, run-time reports from a child process unless fast."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from importlib import metadata

import pytest

from mlfcore.entrypoint import bootstrap, contract
from mlfcore.entrypoint.sysinfo import frameworks, probe

PACKAGES = {"keras": "3.15.1", "numpy": "2.4.6", "nvidia-cublas-cu12": "12.8.4.1", "nvidia-cudnn-cu12": "9.10.2.21",
            "nvidia-cudnn-frontend": "1.0", "nvidia-nccl-cu12": "2.27.3", "tensorflow-cpu": "2.21.0",
            "torch": "2.13.0+cu128"}


def test_versions_come_from_metadata():
    found = frameworks.versions(PACKAGES)
    assert found["frameworks"]["torch"] == {"distribution": "torch", "version": "2.13.0+cu128"}
    assert found["frameworks"]["tensorflow"] == {"distribution": "tensorflow-cpu", "version": "2.21.0"}
    assert found["frameworks"]["xgboost"] is None
    assert found["libraries"]["numpy"]["version"] == "2.4.6" and found["libraries"]["scipy"] is None
    assert found["nvidia_libraries"] == {
        "cuda_runtime": [], "cublas": [{"distribution": "nvidia-cublas-cu12", "version": "12.8.4.1"}],
        "cudnn": [{"distribution": "nvidia-cudnn-cu12", "version": "9.10.2.21"}],  # not nvidia-cudnn-frontend
        "nccl": [{"distribution": "nvidia-nccl-cu12", "version": "2.27.3"}]}


def test_fast_imports_no_framework():
    code = ("import sys, json; from mlfcore.entrypoint import sysinfo; r = sysinfo.collect(fast=True); "
            "print(json.dumps([m for m in ('torch', 'tensorflow', 'xgboost', 'numpy', 'keras', 'jax') "
            "if m in sys.modules] + [r['frameworks']['runtime']]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout) == [{"skipped": "--fast: frameworks were not imported (versions are from "
                                                    "package metadata)"}]


def test_the_probe_reports_what_torch_and_numpy_run_with_under_the_contract(tmp_path, monkeypatch):
    for name in ("torch", "numpy"):  # ask the child even if this test process imported them already
        monkeypatch.setitem(probe.MODULES, name, f"{name}-not-imported")
    settings = contract.Settings(threads=3)
    installed = {"torch": {"version": metadata.version("torch")}, "numpy": {"version": metadata.version("numpy")}}
    found = frameworks.runtime(installed, tmp_path, bootstrap.child_environment(settings))
    assert found["torch"]["version"] == metadata.version("torch")
    # The child ran as a run under `mlf run` does (torch is read from its files, not imported: torchfiles.py).
    if contract.machine_arch() == "x86_64" and "avx2" in open("/proc/cpuinfo").read():
        assert found["torch"]["cpu_capability"] == "AVX2"  # ATEN_CPU_CAPABILITY=avx2, the portable pin
    assert found["numpy"]["version"] == metadata.version("numpy") and "error" not in found["numpy"]


def test_a_probe_that_raises_is_an_error_field(monkeypatch):
    def broken():
        raise OSError("libcudnn.so.9: cannot open shared object file")

    monkeypatch.setitem(probe.PROBES, "torch", broken)
    assert probe.ask("torch") == {"error": "OSError: libcudnn.so.9: cannot open shared object file"}


def test_a_framework_already_imported_is_asked_in_process(monkeypatch):
    monkeypatch.setitem(probe.PROBES, "fakeflow", lambda: {"version": "9.9", "threads": (1, 2)})
    monkeypatch.setitem(probe.MODULES, "fakeflow", "fakeflow")
    monkeypatch.setitem(sys.modules, "fakeflow", types.ModuleType("fakeflow"))

    def no_child(*args, **kwargs):
        raise AssertionError("no child process should start")

    monkeypatch.setattr(frameworks.subprocess, "run", no_child)
    assert frameworks.runtime({"fakeflow": {"version": "9.9"}}, ".") == {"fakeflow": {"version": "9.9",
                                                                                     "threads": [1, 2]}}


@pytest.mark.parametrize("outcome, words", [
    (subprocess.CompletedProcess([], -11, stdout="", stderr="Illegal instruction\n"),
     "the probe exited with -11: Illegal instruction"),
    (subprocess.CompletedProcess([], 0, stdout="not json\n", stderr=""), "the probe exited with 0"),
    (subprocess.TimeoutExpired("python", 180), "timed out"),
    (FileNotFoundError(2, "No such file or directory"), "could not start"),
])
def test_a_child_that_fails_is_an_error_field_per_framework(monkeypatch, tmp_path, outcome, words):
    def fake_run(*args, **kwargs):
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(frameworks.subprocess, "run", fake_run)
    for name in ("torch", "numpy"):
        monkeypatch.setitem(probe.MODULES, name, f"{name}-not-imported")
    found = frameworks.runtime({"torch": {"version": "1"}, "numpy": {"version": "2"}}, tmp_path)
    assert set(found) == {"torch", "numpy"}
    assert all(words in report["error"] for report in found.values())


def test_the_probe_module_answers_one_json_line():
    code = f"import sys; from {probe.__name__} import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, "nosuch"], capture_output=True, text=True, check=True,
                          timeout=60)
    assert json.loads(done.stdout) == {"nosuch": {"error": "no probe for it"}}
    assert done.stderr == ""
