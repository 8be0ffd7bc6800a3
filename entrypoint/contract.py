"""The determinism contract: one table in code, the single source of truth (README.md, "The determinism contract").

`mlf env` prints it, `mlf run` applies it, the images bake it, tests read it. Each entry says what it pins, the
value it requires on this machine (a function of the run's settings and the CPU architecture), the frameworks it
concerns and why.

The entries of one framework live in its folder (frameworks/<name>/contract.py: ENTRIES by slot, READS); the table
is this module's generic entries with each framework's entries in their slots, in registry order (_LAYOUT).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from . import run_settings, variables
from .frozen import Frozen

# The seed's and the thread count's defaults and ranges have one owner (run_settings.py); named here for readers of
# the table.
DEFAULT_SEED = run_settings.DEFAULT_SEED
DEFAULT_THREADS = run_settings.DEFAULT_THREADS
MAX_THREADS = run_settings.MAX_THREADS

ENV = "env"  # an environment variable set for the child process
SWITCH = "switch"  # a framework call made in-process by the bootstrap (bootstrap/_mlf_hooks.py)
SEED = "seed"  # a random number generator seeded in-process

# When an environment entry is read, which decides whether setting it in a running process still helps.
AT_START = "interpreter start"
AT_LOAD = "when its frameworks load"
AT_USE = "when first used (a CUDA handle, an op, a collective)"


class Settings(Frozen):
    """What one run asked for. Flags override [tool.mlf], which overrides the defaults."""

    seed: int = DEFAULT_SEED
    threads: int = DEFAULT_THREADS
    portable: bool = True
    allow_nondeterministic: bool = False
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        run_settings.check_seed(self.seed)
        run_settings.check_threads(self.threads)
        unknown = sorted(set(self.allow) - set(names()))
        if unknown:
            raise ValueError(f"allow names unknown contract entries {unknown}; known: {', '.join(names())}")


def machine_arch() -> str:
    """The CPU architecture as the dispatch entries key it: 'x86_64', 'aarch64' or what the platform says."""
    arch = os.uname().machine.lower()  # what platform.machine() returns on POSIX, without importing platform
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


Value = Callable[[Settings, str], "str | None"]


def fixed(value: str) -> Value:
    """An entry's value that is the same under every setting."""
    return lambda settings, arch: value


def seed_value(settings: Settings, arch: str) -> str:
    return str(settings.seed)


def threads_value(settings: Settings, arch: str) -> str:
    return str(settings.threads)


def portable(by_arch: Mapping[str, str]) -> Value:
    """A dispatch pin: the arch's portable level when portability is on, nothing otherwise."""
    return lambda settings, arch: by_arch.get(arch) if settings.portable else None


# The portable CPU dispatch level per architecture, named as the record names levels (sysinfo/cpu.py LEVELS: ISA levels
# by the names ATen gives its kernels). A framework that dispatches by such a level pins it to this one.
PORTABLE_DISPATCH = {"x86_64": "avx2", "aarch64": "default"}


def dispatch_pin(settings: Settings, arch: str | None = None) -> str | None:
    """The dispatch level the contract pins on `arch` under `settings`; None when portability is off."""
    return portable(PORTABLE_DISPATCH)(settings, arch or machine_arch())


class Entry(Frozen):
    name: str
    kind: str
    value: Value
    # The modules that read it (api.py reports a variable read by a loaded one as too late). The table adds each
    # framework whose contract part lists the entry in READS, so a generic entry names only the libraries below
    # every framework (python, numpy).
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


THREADS_WHY = (
    "the thread count decides the bits: measured, torch CPU training differs at 1, 2 and 4 threads and agrees "
    "for 2 threads on 1 or 2 cores"
)


class Slot(Frozen):
    """Where the frameworks' entries of one kind go in the table: each framework's contract part lists its entries
    by slot name (ENTRIES), and the table takes them in registry order."""

    name: str


# The slots a framework's entries may fill, in table order.
SLOTS = ("gpu", "threads", "kernel dispatch", "library use", "switches", "seeds")

# The table's generic entries and the frameworks' slots. Order is the order `mlf env` prints and the images bake.
_LAYOUT: tuple[Entry | Slot, ...] = (
    Entry("PYTHONHASHSEED", ENV, seed_value, ("python",),
          "hash randomisation reorders sets and dicts; it only takes effect at interpreter start, so mlf starts "
          "the command as a child with it set", read=AT_START),
    Entry("CUBLAS_WORKSPACE_CONFIG", ENV, fixed(":4096:8"), (),
          "cuBLAS is reproducible on CUDA >= 10.2 only with a fixed workspace (torch's reproducibility notes)",
          also_accepted=(":16:8",), read=AT_USE),
    Slot("gpu"),
    Entry("OMP_NUM_THREADS", ENV, threads_value, ("numpy",), THREADS_WHY),
    Entry("MKL_NUM_THREADS", ENV, threads_value, ("numpy",), THREADS_WHY),
    Entry("OPENBLAS_NUM_THREADS", ENV, threads_value, ("numpy",), THREADS_WHY),
    Slot("threads"),
    # A framework's own kernel dispatch first (its capability level names are the ones the record uses, cpu.py),
    # then the libraries under every framework.
    Slot("kernel dispatch"),
    Entry("MKL_CBWR", ENV, portable({"x86_64": "AVX2"}), ("numpy",),
          "MKL's conditional numerical reproducibility: one code path whatever the CPU; measured, COMPATIBLE vs "
          "unset differ"),
    Entry("ONEDNN_MAX_CPU_ISA", ENV, portable({"x86_64": "AVX2"}), (),
          "oneDNN picks kernels by ISA; measured, SSE41 vs unset differ"),
    # NumPy 2.4's runtime dispatch targets on x86-64 are X86_V3 (AVX2), X86_V4, AVX512_ICL and AVX512_SPR
    # (numpy._core._multiarray_umath.__cpu_dispatch__); disabling the three above X86_V3 keeps an AVX-512 host on the
    # kernels an AVX2 host runs. Names differ in NumPy 1.x, which then ignores them with an ImportWarning.
    Entry("NPY_DISABLE_CPU_FEATURES", ENV, portable({"x86_64": "X86_V4 AVX512_ICL AVX512_SPR"}), ("numpy",),
          "NumPy picks SIMD kernels at run time by CPU; pinned to the AVX2 level like the other dispatchers"),
    # OpenBLAS (NumPy's and SciPy's BLAS) picks kernels by core type at load. Measured with NumPy 2.4.6's OpenBLAS
    # 0.3.31 on an AVX2 host: a 300x300 float64 matmul gives other bits with Prescott than with Haswell (the
    # detected default there), and SkylakeX kernels die with SIGILL, so Haswell (AVX2) is the portable x86-64 level.
    Entry("OPENBLAS_CORETYPE", ENV, portable({"x86_64": "Haswell"}), ("numpy",),
          "OpenBLAS picks kernels by CPU core type; measured, Prescott and Haswell kernels give different matmul "
          "bits", yields=True),
    # Whether a framework uses a library at all (TensorFlow's oneDNN), after the libraries' own pins.
    Slot("library use"),
    Entry("NCCL_ALGO", ENV, fixed("Ring"), (),
          "NCCL's tree reductions change the summation order between topologies", read=AT_USE),
    Entry("NCCL_NVLS_ENABLE", ENV, fixed("0"), (),
          "NVLink SHARP reductions change the summation order", read=AT_USE),
    Slot("switches"),
    Entry("random.seed", SEED, seed_value, ("python",), "Python's global random generator"),
    Entry("numpy.random.seed", SEED, seed_value, ("numpy",), "NumPy's legacy global generator"),
    Slot("seeds"),
)


def _assemble() -> tuple[Entry, ...]:
    """The table: the generic entries with each framework's entries in their slots, registry order; each generic
    entry's `frameworks` gains the frameworks whose contract part reads it."""
    from . import frameworks

    parts = frameworks.parts("contract")
    readers: dict[str, list[str]] = {}
    for framework, module in parts:
        for name in module.READS:
            readers.setdefault(name, []).append(framework.name)
    table: list[Entry] = []
    for item in _LAYOUT:
        if isinstance(item, Slot):
            table += [entry for _, module in parts for entry in module.ENTRIES.get(item.name, ())]
            continue
        if item.name in readers:
            values = {name: getattr(item, name) for name in Entry.FIELDS}
            values["frameworks"] = (*readers[item.name], *item.frameworks)
            item = Entry(**values)
        table.append(item)
    return tuple(table)


_TABLE: dict[str, object] = {}


def table() -> tuple[Entry, ...]:
    """THE table, assembled on first use (the frameworks' contract parts import this module)."""
    if not _TABLE:
        entries = _assemble()
        _TABLE.update(CONTRACT=entries, NAMES=tuple(entry.name for entry in entries),
                      BY_NAME={entry.name: entry for entry in entries})
    return _TABLE["CONTRACT"]


def by_name() -> dict[str, Entry]:
    table()
    return _TABLE["BY_NAME"]


def names() -> tuple[str, ...]:
    table()
    return _TABLE["NAMES"]


def __getattr__(name: str):
    """CONTRACT, NAMES and BY_NAME as module attributes (what readers of the table have always used)."""
    if name in ("CONTRACT", "NAMES", "BY_NAME"):
        table()
        return _TABLE[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def environment(settings: Settings, arch: str | None = None) -> dict[str, str]:
    """The environment variables the contract sets for a child process under `settings`."""
    arch = arch or machine_arch()
    env = {}
    for entry in table():
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
        if current is None or current == baked.get(name) or by_name()[name].yields:
            continue
        if current != required and current not in by_name()[name].also_accepted:
            found.append(Conflict(name, current, required, by_name()[name].reason))
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
    environ[variables.MLF_RELAX] = ",".join(name for name in settings.allow if by_name()[name].kind != ENV)
    environ[variables.MLF_NONDETERMINISTIC] = "1" if settings.allow_nondeterministic else "0"
    environ[variables.MLF_PORTABLE] = "1" if settings.portable else "0"
    return environ


def kept_from_environment(settings: Settings, environ: Mapping[str, str] | None = None,
                          arch: str | None = None) -> dict[str, str]:
    """Entries that yield to a value the environment sets (and an image did not bake): that value is used and
    recorded, with a warning, instead of being a conflict."""
    environ = os.environ if environ is None else environ
    baked = _baked(environ)
    return {name: environ[name] for name, value in environment(settings, arch).items()
            if by_name()[name].yields and name in environ and environ[name] != value
            and environ[name] != baked.get(name)}


def enforce(settings: Settings, environ: Mapping[str, str] | None = None) -> list[Conflict]:
    """Before a run: raise ContractConflict for contradicting variables the run may not deviate on, warn about values
    kept from the environment; return the conflicts the run may deviate on (the allowed ones). `mlf run`, `mlf train`
    and `mlf bench` call it, so the three refuse and warn alike."""
    from . import console
    from .errors import ContractConflict

    found = conflicts(settings, environ)
    refused = [c for c in found if not allowed(settings, c.name)]
    if refused:
        lines = "\n".join(f"  {c.describe()}" for c in refused)
        names_ = " ".join(c.name for c in refused)
        hint = f"unset {names_}, or pass --allow-nondeterministic to run anyway (the run is then recorded as " \
               "non-deterministic)"
        threads = [c for c in refused if c.name.endswith("_THREADS") and c.current.isdigit()]
        if threads:
            hint += f"; to keep {threads[0].current} threads, pass --threads {threads[0].current}"
        raise ContractConflict(f"the environment contradicts the determinism contract:\n{lines}", refused, hint=hint)
    for name, value in kept_from_environment(settings, environ).items():
        console.warn(f"{name}={value} is kept from the environment instead of the contract's "
                     f"{environment(settings)[name]} (recorded in the environment key)")
    return found


def allowed(settings: Settings, name: str) -> bool:
    """Whether the run may deviate from the entry `name`."""
    return settings.allow_nondeterministic or name in settings.allow


def describe(settings: Settings, environ: Mapping[str, str] | None = None, arch: str | None = None) -> list[dict]:
    """The table as data: each entry with the value it would apply on this machine and what the environment says."""
    environ = os.environ if environ is None else environ
    arch = arch or machine_arch()
    clashing = {c.name for c in conflicts(settings, environ, arch)}
    rows = []
    for entry in table():
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
