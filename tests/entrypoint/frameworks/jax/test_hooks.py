"""JAX's switches in a real child of `mlf run`: XLA's thread pool and flags are set before a backend starts, the
caller's other XLA flags are kept (the contract's last, where XLA takes a repeated flag's value), a contradicting
value is replaced with a warning unless the entry is relaxed, and --no-portable drops the CPU dispatch flags."""

from __future__ import annotations

import json
import subprocess
import sys

from mlfcore.entrypoint import contract
from mlfcore.entrypoint.frameworks.jax import hooks

from ...conftest import clean_environment, mlf

# What the child sees once `import jax` ran the hook, and what XLA's CPU client then got.
PROBE = ("import json, os, jax; from jax._src import xla_bridge; "
         "started = xla_bridge.backends_are_initialized(); jax.numpy.zeros(1).block_until_ready(); "
         "print(json.dumps({'started_before': started, 'PJRT_NPROC': os.environ.get('PJRT_NPROC'), "
         "'XLA_FLAGS': os.environ.get('XLA_FLAGS', '').split(), 'devices': len(jax.devices()), "
         "'impl': jax.config.jax_default_prng_impl, 'partitionable': jax.config.jax_threefry_partitionable}))")


def probe(*flags: str, project=None, **env: str) -> tuple[dict, str]:
    done = mlf("run", "--no-lint", *flags, "--", sys.executable, "-c", PROBE, env=clean_environment(**env),
               cwd=project)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_hook_sets_the_thread_pool_and_the_flags_before_the_backend_starts():
    seen, _ = probe("--threads", "3")
    assert not seen["started_before"] and seen["PJRT_NPROC"] == "3"
    portable = list(hooks.portable_cpu_flags(True, contract.machine_arch()))
    assert seen["XLA_FLAGS"] == [*hooks.GPU_FLAGS, *portable]
    assert seen["impl"] == "threefry2x32" and seen["partitionable"] is True


def test_the_callers_other_flags_stay_and_a_contradicting_one_is_replaced_and_named():
    seen, stderr = probe(XLA_FLAGS="--xla_force_host_platform_device_count=3 --xla_gpu_deterministic_ops=false",
                         PJRT_NPROC="7")
    assert seen["devices"] == 3  # the caller's flag reached XLA
    assert "--xla_gpu_deterministic_ops=false" not in seen["XLA_FLAGS"]
    assert seen["XLA_FLAGS"][0] == "--xla_force_host_platform_device_count=3"
    assert "XLA_FLAGS sets --xla_gpu_deterministic_ops=false" in stderr
    assert seen["PJRT_NPROC"] == "2" and "PJRT_NPROC=7 is replaced by the contract's 2" in stderr


def test_relaxed_entries_are_left_to_the_caller(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mlf]\nallow = ["jax.cpu_threads", "jax.xla_gpu_deterministic_ops"]\n')
    seen, _ = probe(project=tmp_path, PJRT_NPROC="7")
    assert seen["PJRT_NPROC"] == "7"
    assert not set(hooks.GPU_FLAGS) & set(seen["XLA_FLAGS"])


def test_without_portable_dispatch_no_cpu_flag_is_set():
    seen, _ = probe("--no-portable")
    assert seen["XLA_FLAGS"] == list(hooks.GPU_FLAGS)


def test_portable_flags_are_the_contracts_entry():
    entry = contract.BY_NAME["jax.xla_cpu_portable"]
    assert entry.required(contract.Settings(), "x86_64").split() == list(hooks.PORTABLE_CPU_FLAGS["x86_64"])
    assert entry.required(contract.Settings(portable=False), "x86_64") is None
    assert entry.required(contract.Settings(), "aarch64") is None


def test_apply_contract_after_a_backend_started_says_the_settings_came_too_late():
    code = ("import jax; jax.numpy.zeros(1).block_until_ready(); "
            "from mlfcore.entrypoint import apply_contract; applied = apply_contract(seed=1, threads=1); "
            "print(dict(applied.applied).get('jax.cpu_threads'))")
    done = subprocess.run([sys.executable, "-c", code], env=clean_environment(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "not applied: a backend had started"
    assert "a JAX backend already started in this process" in done.stderr
