"""The determinism contract: one table in code, the single source of truth (README.md, "The determinism contract").

`mlf env` prints it, `mlf run` applies it, the images bake it, tests read it. Each entry says what it pins, the
value it requires on this machine (a function of the run's settings and the CPU architecture), the frameworks it
concerns and why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from . import variables
from .frozen import Frozen

DEFAULT_SEED = 0
# One fixed number, independent of the host: measured on this project's machine, torch CPU training gives different
# bits with 1, 2 and 4 threads and the same bits for 2 threads on 1 or 2 cores (measured on a 2-core x86-64 host). Two keeps a 2-core CI
# machine busy without oversubscribing it.
DEFAULT_THREADS = 2

ENV = "env"  # an environment variable set for the child process
SWITCH = "switch"  # a framework call made in-process by the bootstrap (bootstrap/_mlf_hooks.py)
SEED = "seed"  # a random number generator seeded in-process

# When an environment entry is read, which decides whether setting it in a running process still helps.
AT_START = "interpreter start"
AT_LOAD = "when its frameworks load"
AT_USE = "when first used (a CUDA handle, an op, a collective)"


# More threads than any host has CPUs: libgomp aborts the child's bootstrap with a traceback on huge counts.
MAX_THREADS = 1024


class Settings(Frozen):
    """What one run asked for. Flags override [tool.mlf], which overrides the defaults."""

    seed: int = DEFAULT_SEED
    threads: int = DEFAULT_THREADS
    portable: bool = True
    allow_nondeterministic: bool = False
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {self.seed!r}")
        if not isinstance(self.threads, int) or isinstance(self.threads, bool) or not 1 <= self.threads <= MAX_THREADS:
            raise ValueError(f"threads must be an integer in [1, {MAX_THREADS}], got {self.threads!r}")
        unknown = sorted(set(self.allow) - set(NAMES))
        if unknown:
            raise ValueError(f"allow names unknown contract entries {unknown}; known: {', '.join(NAMES)}")


def machine_arch() -> str:
    """The CPU architecture as the dispatch entries key it: 'x86_64', 'aarch64' or what the platform says."""
    arch = os.uname().machine.lower()  # what platform.machine() returns on POSIX, without importing platform
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


Value = Callable[[Settings, str], "str | None"]


def _fixed(value: str) -> Value:
    return lambda settings, arch: value


def _seed(settings: Settings, arch: str) -> str:
    return str(settings.seed)


def _threads(settings: Settings, arch: str) -> str:
    return str(settings.threads)


def _portable(by_arch: Mapping[str, str]) -> Value:
    """A dispatch pin: the arch's portable level when portability is on, nothing otherwise."""
    return lambda settings, arch: by_arch.get(arch) if settings.portable else None


class Entry(Frozen):
    name: str
    kind: str
    value: Value
    frameworks: tuple[str, ...]
    reason: str
    # Other values that give the same guarantee (torch accepts either cuBLAS workspace setting).
    also_accepted: tuple[str, ...] = ()
    read: str = AT_LOAD  # environment entries: when the variable is read (apply_contract reports late ones)
    # A value the environment already sets is kept (recorded, warned about) rather than a conflict: some machines
    # set it for correctness (OPENBLAS_CORETYPE on CPUs OpenBLAS misdetects).
    yields: bool = False

    def required(self, settings: Settings, arch: str | None = None) -> str | None:
        """The value this entry requires under `settings` on `arch`; None when it is not applied there."""
        return self.value(settings, arch or machine_arch())


_THREADS_WHY = (
    "the thread count decides the bits: measured, torch CPU training differs at 1, 2 and 4 threads and agrees "
    "for 2 threads on 1 or 2 cores"
)
_DISPATCH_WHY = "CPU kernel dispatch decides the bits: measured, torch's default and avx2 kernels differ"

# The table. Order is the order `mlf env` prints.
CONTRACT: tuple[Entry, ...] = (
    Entry("PYTHONHASHSEED", ENV, _seed, ("python",),
          "hash randomisation reorders sets and dicts; it only takes effect at interpreter start, so mlf starts "
          "the command as a child with it set", read=AT_START),
    Entry("CUBLAS_WORKSPACE_CONFIG", ENV, _fixed(":4096:8"), ("torch", "tensorflow"),
          "cuBLAS is reproducible on CUDA >= 10.2 only with a fixed workspace (torch's reproducibility notes)",
          also_accepted=(":16:8",), read=AT_USE),
    Entry("TF_DETERMINISTIC_OPS", ENV, _fixed("1"), ("tensorflow",),
          "deterministic op paths in TensorFlow before 2.8 and some later op paths", read=AT_USE),
    Entry("TF_CUDNN_DETERMINISTIC", ENV, _fixed("1"), ("tensorflow",),
          "deterministic cuDNN convolution algorithms in TensorFlow", read=AT_USE),
    Entry("OMP_NUM_THREADS", ENV, _threads, ("torch", "xgboost", "numpy"), _THREADS_WHY),
    Entry("MKL_NUM_THREADS", ENV, _threads, ("torch", "numpy"), _THREADS_WHY),
    Entry("OPENBLAS_NUM_THREADS", ENV, _threads, ("numpy",), _THREADS_WHY),
    Entry("TF_NUM_INTRAOP_THREADS", ENV, _threads, ("tensorflow",), _THREADS_WHY),
    Entry("TF_NUM_INTEROP_THREADS", ENV, _threads, ("tensorflow",), _THREADS_WHY),
    # torch's capability names: default, avx2, avx512 on x86-64; default, sve256 on Arm.
    Entry("ATEN_CPU_CAPABILITY", ENV, _portable({"x86_64": "avx2", "aarch64": "default"}), ("torch",),
          _DISPATCH_WHY),
    Entry("MKL_CBWR", ENV, _portable({"x86_64": "AVX2"}), ("torch", "numpy"),
          "MKL's conditional numerical reproducibility: one code path whatever the CPU; measured, COMPATIBLE vs "
          "unset differ"),
    Entry("ONEDNN_MAX_CPU_ISA", ENV, _portable({"x86_64": "AVX2"}), ("torch", "tensorflow"),
          "oneDNN picks kernels by ISA; measured, SSE41 vs unset differ"),
    # NumPy 2.4's runtime dispatch targets on x86-64 are X86_V3 (AVX2), X86_V4, AVX512_ICL and AVX512_SPR
    # (numpy._core._multiarray_umath.__cpu_dispatch__); disabling the three above X86_V3 keeps an AVX-512 host on the
    # kernels an AVX2 host runs. Names differ in NumPy 1.x, which then ignores them with an ImportWarning.
    Entry("NPY_DISABLE_CPU_FEATURES", ENV, _portable({"x86_64": "X86_V4 AVX512_ICL AVX512_SPR"}), ("numpy",),
          "NumPy picks SIMD kernels at run time by CPU; pinned to the AVX2 level like the other dispatchers"),
    # OpenBLAS (NumPy's and SciPy's BLAS) picks kernels by core type at load. Measured with NumPy 2.4.6's OpenBLAS
    # 0.3.31 on an AVX2 host: a 300x300 float64 matmul gives other bits with Prescott than with Haswell (the
    # detected default there), and SkylakeX kernels die with SIGILL, so Haswell (AVX2) is the portable x86-64 level.
    Entry("OPENBLAS_CORETYPE", ENV, _portable({"x86_64": "Haswell"}), ("numpy",),
          "OpenBLAS picks kernels by CPU core type; measured, Prescott and Haswell kernels give different matmul "
          "bits", yields=True),
    Entry("TF_ENABLE_ONEDNN_OPTS", ENV, _portable({"x86_64": "0", "aarch64": "0"}), ("tensorflow",),
          "TensorFlow turns oneDNN on by default on AVX-512 hosts only; measured, on vs off differ"),
    Entry("NCCL_ALGO", ENV, _fixed("Ring"), ("torch", "tensorflow"),
          "NCCL's tree reductions change the summation order between topologies", read=AT_USE),
    Entry("NCCL_NVLS_ENABLE", ENV, _fixed("0"), ("torch", "tensorflow"),
          "NVLink SHARP reductions change the summation order", read=AT_USE),
    Entry("torch.use_deterministic_algorithms", SWITCH, _fixed("True"), ("torch",),
          "replaces atomics-based kernels by deterministic ones, or raises where none exists"),
    Entry("torch.utils.deterministic.fill_uninitialized_memory", SWITCH, _fixed("True"), ("torch",),
          "with deterministic algorithms torch fills new uninitialised memory (NaN for floats) so a read of it gives "
          "the same bits; Megatron-LM reports it costs about 15% and is safe to turn off in most code (`mlf bench` "
          "measures it; relax it with [tool.mlf] allow)"),
    Entry("torch.backends.cudnn.deterministic", SWITCH, _fixed("True"), ("torch",),
          "deterministic cuDNN convolution algorithms"),
    Entry("torch.backends.cudnn.benchmark", SWITCH, _fixed("False"), ("torch",),
          "benchmarking picks convolution algorithms by timing, which differs run to run"),
    Entry("torch.set_num_threads", SWITCH, _threads, ("torch",), _THREADS_WHY),
    Entry("tf.config.experimental.enable_op_determinism", SWITCH, _fixed("True"), ("tensorflow",),
          "deterministic TensorFlow ops, or UnimplementedError where none exists"),
    Entry("tf.config.threading", SWITCH, _threads, ("tensorflow",), _THREADS_WHY),
    Entry("xgboost.nthread", SWITCH, _threads, ("xgboost",),
          "XGBoost's default nthread is the host's core count; measured on 3.2.0, hist gives different bits at 1 and "
          "2 threads, and it caps nthread at the CPUs it may use: affinity mask and CPU quota (mlf warns when it does)"),
    Entry("random.seed", SEED, _seed, ("python",), "Python's global random generator"),
    Entry("numpy.random.seed", SEED, _seed, ("numpy",), "NumPy's legacy global generator"),
    Entry("torch.manual_seed", SEED, _seed, ("torch",), "torch's generators on the CPU and every CUDA device"),
    Entry("keras.utils.set_random_seed", SEED, _seed, ("tensorflow",), "TensorFlow's and Keras' global seeds"),
    Entry("xgboost.seed", SEED, _seed, ("xgboost",), "XGBoost's seed where the program gives none"),
)

NAMES: tuple[str, ...] = tuple(entry.name for entry in CONTRACT)
BY_NAME: dict[str, Entry] = {entry.name: entry for entry in CONTRACT}


def environment(settings: Settings, arch: str | None = None) -> dict[str, str]:
    """The environment variables the contract sets for a child process under `settings`."""
    arch = arch or machine_arch()
    env = {}
    for entry in CONTRACT:
        if entry.kind == ENV:
            value = entry.required(settings, arch)
            if value is not None:
                env[entry.name] = value
    return env


class Conflict(Frozen):
    """A variable in the caller's environment that contradicts the contract."""

    name: str
    current: str
    required: str
    reason: str

    def describe(self) -> str:
        return f"{self.name}={self.current!r} contradicts the contract: it must be {self.required!r} ({self.reason})"


def _baked(environ: Mapping[str, str]) -> dict[str, str]:
    """NAME=VALUE pairs an image baked (variables.MLF_IMAGE_CONTRACT): those values were not the user's choice."""
    pairs = (item.partition("=") for item in environ.get(variables.MLF_IMAGE_CONTRACT, "").split(";") if item)
    return {name: value for name, _, value in pairs}


def conflicts(settings: Settings, environ: Mapping[str, str] | None = None, arch: str | None = None) -> list[Conflict]:
    """Variables in `environ` (default: this process's) whose values contradict the contract under `settings`."""
    environ = os.environ if environ is None else environ
    baked = _baked(environ)
    found = []
    for name, required in environment(settings, arch).items():
        current = environ.get(name)
        if current is None or current == baked.get(name) or BY_NAME[name].yields:
            continue
        if current != required and current not in BY_NAME[name].also_accepted:
            found.append(Conflict(name, current, required, BY_NAME[name].reason))
    return found


def child_environment(settings: Settings, environ: Mapping[str, str] | None = None,
                      arch: str | None = None) -> dict[str, str]:
    """The complete environment for a command run under the contract.

    Contract values win over the caller's, except for variables the run was allowed to deviate on
    (`allow_nondeterministic`, or an entry on the allow list), which keep the caller's value.
    """
    environ = dict(os.environ if environ is None else environ)
    kept = {c.name for c in conflicts(settings, environ, arch) if allowed(settings, c.name)}
    wanted = environment(settings, arch)
    for name, value in _baked(environ).items():
        # An image bakes the default settings; a run that asks for less (--no-portable drops the dispatch pins)
        # must not inherit them, or its record would say one thing and its child run another.
        if name not in wanted and environ.get(name) == value:
            del environ[name]
    for name, value in wanted.items():
        if name not in kept and name not in kept_from_environment(settings, environ, arch):
            environ[name] = value
    environ[variables.MLF_ACTIVE] = "1"
    environ[variables.MLF_SEED] = str(settings.seed)
    environ[variables.MLF_THREADS] = str(settings.threads)
    environ[variables.MLF_RELAX] = ",".join(name for name in settings.allow if BY_NAME[name].kind != ENV)
    environ[variables.MLF_NONDETERMINISTIC] = "1" if settings.allow_nondeterministic else "0"
    return environ


def kept_from_environment(settings: Settings, environ: Mapping[str, str] | None = None,
                          arch: str | None = None) -> dict[str, str]:
    """Entries that yield to a value the environment sets (and an image did not bake): that value is used and
    recorded, with a warning, instead of being a conflict."""
    environ = os.environ if environ is None else environ
    baked = _baked(environ)
    return {name: environ[name] for name, value in environment(settings, arch).items()
            if BY_NAME[name].yields and name in environ and environ[name] != value
            and environ[name] != baked.get(name)}


def allowed(settings: Settings, name: str) -> bool:
    """Whether the run may deviate from the entry `name`."""
    return settings.allow_nondeterministic or name in settings.allow


def describe(settings: Settings, environ: Mapping[str, str] | None = None, arch: str | None = None) -> list[dict]:
    """The table as data: each entry with the value it would apply on this machine and what the environment says."""
    environ = os.environ if environ is None else environ
    arch = arch or machine_arch()
    clashing = {c.name for c in conflicts(settings, environ, arch)}
    rows = []
    for entry in CONTRACT:
        required = entry.required(settings, arch)
        current = environ.get(entry.name) if entry.kind == ENV else None
        if required is None:
            status = "not applied here"
        elif entry.kind != ENV:
            status = "applied in-process"
        elif entry.name in clashing:
            status = "allowed deviation" if allowed(settings, entry.name) else "conflict"
        elif current is None:
            status = "set by mlf run"
        else:
            status = "ok"
        rows.append({
            "name": entry.name,
            "kind": entry.kind,
            "required": required,
            "current": current,
            "status": status,
            "frameworks": list(entry.frameworks),
            "reason": entry.reason,
        })
    return rows


def record(settings: Settings, environ: Mapping[str, str] | None = None, arch: str | None = None) -> dict:
    """What a run records about the contract it ran under."""
    environ = os.environ if environ is None else environ
    deviations = [c for c in conflicts(settings, environ, arch) if allowed(settings, c.name)]
    return {
        "seed": settings.seed,
        "threads": settings.threads,
        "portable": settings.portable,
        "arch": arch or machine_arch(),
        "nondeterministic": settings.allow_nondeterministic or bool(deviations) or bool(settings.allow),
        "allow": list(settings.allow),
        "deviations": [{"name": c.name, "value": c.current, "required": c.required} for c in deviations],
        "environment": environment(settings, arch),
        "kept_from_environment": kept_from_environment(settings, environ, arch),
    }
