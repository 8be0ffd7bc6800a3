"""Host-side provisioning (mlfcore.scaffold.provision): what it decides without installing anything."""

from __future__ import annotations

import subprocess
import sys

from mlfcore.scaffold import provision


def test_an_engine_that_does_not_answer_is_seen(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    assert provision.engine_answers() is False


def test_a_given_base_image_is_used_as_it_is(monkeypatch):
    monkeypatch.setenv("BASE_IMAGE", "registry.example.org/debian:12")
    assert provision.os_base() == "registry.example.org/debian:12"
    assert provision.os_base("other/os:1") == "other/os:1"


def test_the_module_prints_only_the_base_on_stdout():
    done = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.provision"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "BASE_IMAGE": "given/os:1"}, timeout=120)
    assert (done.returncode, done.stdout) == (0, "given/os:1\n"), done.stderr


def test_the_runtime_package_holds_no_host_side_demo_and_the_demo_does_not_provision():
    import importlib.util

    from mlfcore.scaffold import demo

    assert importlib.util.find_spec("mlfcore.entrypoint.examples.demo") is None  # host side: not in the images
    assert not hasattr(demo, "prepare") and not hasattr(demo, "_provision")
