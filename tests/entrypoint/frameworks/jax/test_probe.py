"""What sysinfo reads of JAX from jaxlib's files agrees with an imported JAX, and imports none."""

import json
import subprocess
import sys

from mlfcore.entrypoint import contract, frameworks, sysinfo

from ...conftest import clean_environment

COMPARE = ("import json, sys; from mlfcore.entrypoint.frameworks.jax import probe; files = probe.report(); "
           "loaded = 'jax' in sys.modules or 'jaxlib' in sys.modules; import jax, jaxlib; "
           "print(json.dumps([files, jaxlib.__version__, loaded]))")


def test_the_files_say_what_the_imported_jaxlib_says(tmp_path):
    done = subprocess.run([sys.executable, "-c", COMPARE], env=clean_environment(), cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    files, imported, loaded_before = json.loads(done.stdout.strip().splitlines()[-1])
    assert not loaded_before
    assert files["version"] == imported and files["cuda_plugins"] == {}


def test_sysinfo_records_jax_and_its_cpu_build():
    record = sysinfo.collect(contract.Settings(), fast=True)
    assert record["frameworks"]["frameworks"]["jax"]["distribution"] == "jaxlib"
    installed = {"jaxlib": "0.10.2"}
    assert frameworks.get("jax").cpu_only(installed) == ["jaxlib==0.10.2"]
    assert frameworks.get("jax").cpu_only({**installed, "jax-cuda12-plugin": "0.10.2"}) == []
