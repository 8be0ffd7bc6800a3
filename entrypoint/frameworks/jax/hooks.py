"""JAX's switches, applied by the child bootstrap right after `import jax` (bootstrap/_mlf_hooks.py) and by
`apply_contract`. Imports nothing from mlfcore: the bootstrap loads this file by path in any interpreter. Each hook
records what it applied through `opts.note(entry name, value)`.

JAX reads its XLA settings when its first backend starts, not at import (jax._src.xla_bridge starts backends on
first use): measured with jaxlib 0.10.2, XLA_FLAGS and PJRT_NPROC set right after `import jax` take effect. So the
hook sets them in this process's environment, where XLA reads them (getenv), before the program can start a backend:

- PJRT_NPROC, the CPU client's thread pool (XLA's DefaultThreadPoolSize, xla/pjrt/utils.cc, reads PJRT_NPROC, then
  NPROC, else the CPUs in the affinity mask). The count decides the bits: measured on this project's 2-core machine,
  a 64x16384 @ 16384x64 float32 matmul and a 200,000-element sum give other bits with 1 thread than with 2,
  `taskset -c 0` gives the 1-thread bits, PJRT_NPROC=2 under `taskset -c 0` the 2-thread bits.
- XLA_FLAGS: `--xla_gpu_deterministic_ops=true` ("Guarantees run-to-run determinism on GPU", the flag's own help in
  jaxlib 0.10.2: deterministic scatter and reductions, no autotuning that picks kernels by timing); and, for portable
  dispatch on x86-64, `--xla_cpu_enable_platform_dependent_math=false` ("faster code at the expense of consistent
  results across CPUs") with `--xla_cpu_max_isa=AVX2`. Measured on this AVX-512 host against an AVX2 one (the same
  wheel under qemu-x86_64 -cpu Haswell): a matmul, a long sum and a convolution with its gradient differ between the
  two by default and agree with platform-dependent math off; elementwise exp/tanh/log1p give other bits with the ISA
  capped at AVX (no FMA) than at AVX2. The flags go after the caller's own (XLA takes the last of a repeated flag),
  and a caller's differing value for one of them is replaced, with a warning, unless the entry is relaxed.
- The PRNG: `jax_default_prng_impl` threefry2x32 and `jax_threefry_partitionable` True, the defaults of this release
  (jax/_src/config.py), pinned so a JAX_* variable of the caller cannot change what every key draws.
"""

import os
import sys

# XLA flags the contract requires, by entry (the contract part reads the same function: one definition).
GPU_FLAGS = ("--xla_gpu_deterministic_ops=true",)
PORTABLE_CPU_FLAGS = {"x86_64": ("--xla_cpu_enable_platform_dependent_math=false", "--xla_cpu_max_isa=AVX2")}
PRNG_IMPL = "threefry2x32"


def portable_cpu_flags(portable, arch):
    """The CPU flags of portable dispatch on `arch` (none when portability is off or the arch has no pin)."""
    return PORTABLE_CPU_FLAGS.get(arch, ()) if portable else ()


def _arch():
    arch = os.uname().machine.lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def _started(jax):
    """Whether a backend already started, so XLA read its settings already (apply_contract late in a notebook)."""
    bridge = getattr(getattr(jax, "_src", None), "xla_bridge", None)
    started = getattr(bridge, "backends_are_initialized", None)
    return bool(started()) if started is not None else False


def _warn(text):
    sys.stderr.write("mlf: WARNING: %s\n" % text)


def _merge_flags(wanted):
    """XLA_FLAGS with `wanted` (--name=value) last; a caller's other value for one of them is named and replaced."""
    current = os.environ.get("XLA_FLAGS", "").split()
    names = {flag.partition("=")[0] for flag in wanted}
    for flag in current:
        name, _, value = flag.partition("=")
        if name in names and flag not in wanted:
            _warn("XLA_FLAGS sets %s; the contract's %s replaces it (relax the entry with [tool.mlf] allow to keep "
                  "yours)" % (flag, next(w for w in wanted if w.startswith(name + "="))))
    kept = [flag for flag in current if flag.partition("=")[0] not in names]
    os.environ["XLA_FLAGS"] = " ".join(kept + list(wanted))


def apply_jax(jax, opts):
    if _started(jax):
        _warn("a JAX backend already started in this process: its thread count and XLA flags were read before the "
              "contract could set them (set them before the first computation, or run under `mlf run`)")
        opts.note("jax.cpu_threads", "not applied: a backend had started")
    else:
        wanted = []
        if "jax.xla_gpu_deterministic_ops" not in opts.relax:
            wanted += GPU_FLAGS
            opts.note("jax.xla_gpu_deterministic_ops", True)
        if "jax.xla_cpu_portable" not in opts.relax:
            flags = portable_cpu_flags(opts.portable, _arch())
            wanted += flags
            if flags:
                opts.note("jax.xla_cpu_portable", " ".join(flags))
        if wanted:
            _merge_flags(wanted)
        if "jax.cpu_threads" not in opts.relax:
            current = os.environ.get("PJRT_NPROC")
            if current not in (None, str(opts.threads)):
                _warn("PJRT_NPROC=%s is replaced by the contract's %d: XLA's CPU thread count decides the bits "
                      "(pass --threads %s to keep it)" % (current, opts.threads, current))
            os.environ["PJRT_NPROC"] = str(opts.threads)
            opts.note("jax.cpu_threads", opts.threads)
    if "jax.default_prng_impl" not in opts.relax:
        jax.config.update("jax_default_prng_impl", PRNG_IMPL)
        opts.note("jax.default_prng_impl", PRNG_IMPL)
    if "jax.threefry_partitionable" not in opts.relax:
        jax.config.update("jax_threefry_partitionable", True)
        opts.note("jax.threefry_partitionable", True)


# module name -> what to apply once it has been imported
HOOKS = {
    "jax": apply_jax,
}
