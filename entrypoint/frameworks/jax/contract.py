"""JAX's entries of the determinism contract (contract.py places them in its slots).

All are switches its hook applies right after `import jax`, before a backend starts (hooks.py says why each decides
the bits, with the measurements): they act only in a program that imports JAX, and add nothing to the environment
of any other run (nor to its environment key).
"""

from ...contract import SWITCH, Entry, THREADS_WHY, fixed, threads_value
from . import hooks

# The generic entries JAX's libraries read (NCCL, for collectives between GPUs).
READS = ("NCCL_ALGO", "NCCL_NVLS_ENABLE")


def _portable_cpu_flags(settings, arch):
    return " ".join(hooks.portable_cpu_flags(settings.portable, arch)) or None


ENTRIES = {
    "switches": (
        Entry("jax.xla_gpu_deterministic_ops", SWITCH, fixed("True"), ("jax",),
              "XLA_FLAGS --xla_gpu_deterministic_ops=true: deterministic scatters and reductions on GPU and no "
              "autotuning by timing (the flag's help: 'Guarantees run-to-run determinism on GPU')"),
        Entry("jax.xla_cpu_portable", SWITCH, _portable_cpu_flags, ("jax",),
              "XLA_FLAGS: CPU code that gives the same bits on every x86-64 host from AVX2 up; measured, an AVX-512 "
              "and an AVX2 host differ in matmuls, sums and convolutions with platform-dependent math on"),
        Entry("jax.cpu_threads", SWITCH, threads_value, ("jax",),
              f"PJRT_NPROC, XLA's CPU thread pool: {THREADS_WHY}; measured for JAX too (1 vs 2 threads differ, "
              "1 or 2 cores do not)"),
        Entry("jax.default_prng_impl", SWITCH, fixed(hooks.PRNG_IMPL), ("jax",),
              "the PRNG every key uses unless it names one; JAX_DEFAULT_PRNG_IMPL would change every draw"),
        Entry("jax.threefry_partitionable", SWITCH, fixed("True"), ("jax",),
              "threefry's key derivation (split, fold_in); False, the scheme before JAX 0.5.0, gives other keys"),
    ),
}
