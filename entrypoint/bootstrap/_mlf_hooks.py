"""Seeds and framework switches of the determinism contract, applied in-process.

Used two ways: by the child bootstrap of `mlf run` (post-import hooks, so each framework is configured the moment it is
first imported and never imported otherwise) and by the public API `mlfcore.entrypoint.apply_contract` (applied at
once to what is importable). Imports nothing from mlfcore; environment variable names match entrypoint/variables.py.
"""

import importlib
import os
import random
import sys

APPLIED = []  # (entry name, value) in the order applied: the API returns it, tests read it


class Options:
    def __init__(self, seed, threads, relax=()):
        self.seed = int(seed)
        self.threads = int(threads)
        self.relax = frozenset(relax)


def _note(name, value):
    APPLIED.append((name, value))


def apply_python(opts):
    random.seed(opts.seed)
    _note("random.seed", opts.seed)


def apply_numpy(np, opts):
    np.random.seed(opts.seed)
    _note("numpy.random.seed", opts.seed)


def apply_torch(torch, opts):
    torch.manual_seed(opts.seed)  # every device, CUDA included, lazily for devices not yet initialised
    _note("torch.manual_seed", opts.seed)
    warn_only = "torch.use_deterministic_algorithms" in opts.relax
    _use_deterministic_algorithms(torch, warn_only)
    _note("torch.use_deterministic_algorithms", "warn_only" if warn_only else True)
    if "torch.utils.deterministic.fill_uninitialized_memory" in opts.relax:
        torch.utils.deterministic.fill_uninitialized_memory = False
        _note("torch.utils.deterministic.fill_uninitialized_memory", False)
    if "torch.backends.cudnn.deterministic" not in opts.relax:
        torch.backends.cudnn.deterministic = True
        _note("torch.backends.cudnn.deterministic", True)
    if "torch.backends.cudnn.benchmark" not in opts.relax:
        torch.backends.cudnn.benchmark = False
        _note("torch.backends.cudnn.benchmark", False)
    if "torch.set_num_threads" not in opts.relax:
        torch.set_num_threads(opts.threads)
        try:
            torch.set_num_interop_threads(opts.threads)
        except RuntimeError:
            pass  # already set, or parallel work already started: torch allows it once, before first use
        _note("torch.set_num_threads", opts.threads)


def _use_deterministic_algorithms(torch, warn_only):
    """torch.use_deterministic_algorithms(True), without its import of torch._inductor.config.

    torch 2.13's use_deterministic_algorithms sets the C++ flag and `torch._inductor.config.deterministic`; importing
    that config pulls in dynamo, inductor and sympy (845 more modules), which doubled the CPU time of `import torch`
    under `mlf run` (2.6 s against 4.9 s, median of fresh processes, loaded machine). The C++ flag is set here; the
    inductor flag is set by a hook when a program first imports inductor's config (apply_inductor_config)."""
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:  # another torch: the public call does everything
        torch.use_deterministic_algorithms(True, warn_only=warn_only)
    else:
        setter(True, warn_only=warn_only)


def apply_inductor_config(config, opts):
    """What torch.use_deterministic_algorithms(True) sets in inductor: no on-device benchmarking that changes
    numerics (torch's docstring of use_deterministic_algorithms)."""
    if hasattr(config, "deterministic"):
        config.deterministic = True
        _note("torch._inductor.config.deterministic", True)


def apply_tensorflow(tf, opts):
    tf.random.set_seed(opts.seed)
    _note("tf.random.set_seed", opts.seed)
    if "tf.config.experimental.enable_op_determinism" not in opts.relax:
        tf.config.experimental.enable_op_determinism()
        _note("tf.config.experimental.enable_op_determinism", True)
    if "tf.config.threading" not in opts.relax:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(opts.threads)
            tf.config.threading.set_inter_op_parallelism_threads(opts.threads)
            _note("tf.config.threading", opts.threads)
        except RuntimeError:
            pass  # the runtime already started; TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS pinned it


def apply_keras(keras, opts):
    # Seeds Python, NumPy, the backend and Keras 3's own global SeedGenerator state.
    keras.utils.set_random_seed(opts.seed)
    _note("keras.utils.set_random_seed", opts.seed)


# The Booster wrapper reads the latest options at call time: applying the contract again (apply_contract twice)
# changes what new Boosters get instead of wrapping twice or keeping the first call's seed.
_XGBOOST_DEFAULTS = {}


def apply_xgboost(xgboost, opts):
    """Give every Booster the run's seed and thread count unless the program chose its own."""
    booster = xgboost.core.Booster
    _XGBOOST_DEFAULTS.clear()
    _XGBOOST_DEFAULTS["seed"] = opts.seed
    if "xgboost.nthread" not in opts.relax:
        _XGBOOST_DEFAULTS["nthread"] = opts.threads
    if not getattr(booster.__init__, "_mlf_wrapped", False):
        _wrap_booster(booster)
    _note("xgboost.seed", opts.seed)
    if "nthread" in _XGBOOST_DEFAULTS:
        _note("xgboost.nthread", opts.threads)
        _warn_if_capped(opts.threads)


def _wrap_booster(booster):
    original = booster.__init__
    aliases = {"seed": ("seed", "random_state"), "nthread": ("nthread", "n_jobs")}

    def __init__(self, params=None, *args, **kwargs):
        defaults = dict(_XGBOOST_DEFAULTS)
        if params is None or isinstance(params, dict):
            given = dict(params or {})
            for key, value in defaults.items():
                if not any(given.get(alias) is not None for alias in aliases[key]):
                    given[key] = value
            params = given
        else:  # a list of (key, value) pairs
            given = list(params)
            keys = {k for k, v in given if v is not None}
            for key, value in defaults.items():
                if not keys.intersection(aliases[key]):
                    given.append((key, value))
            params = given
        original(self, params, *args, **kwargs)

    __init__._mlf_wrapped = True
    booster.__init__ = __init__


def keep_run_experiment(fluent, opts):
    """In a child of `mlf train` (MLFLOW_RUN_ID set), mlflow.set_experiment() with another experiment would make
    MLflow's start_run() refuse to resume the run ("active experiment ID does not match environment run ID",
    mlflow/tracking/fluent.py). The run stays where mlf opened it, and a warning names both experiments."""
    run_experiment = os.environ.get("MLFLOW_EXPERIMENT_ID")
    if not os.environ.get("MLFLOW_RUN_ID") or not run_experiment or getattr(fluent.set_experiment, "_mlf", False):
        return
    original = fluent.set_experiment
    run_name = os.environ.get("MLF_EXPERIMENT") or run_experiment

    def set_experiment(experiment_name=None, experiment_id=None):
        if experiment_id == run_experiment or (experiment_id is None and experiment_name == run_name):
            return original(experiment_name=experiment_name, experiment_id=experiment_id)
        asked = experiment_name if experiment_id is None else "id %s" % experiment_id
        sys.stderr.write("mlf: mlflow.set_experiment(%r) is ignored: this run stays in experiment %r, where "
                         "`mlf train` opened it (pass --experiment or MLFLOW_EXPERIMENT_NAME to choose it)\n"
                         % (asked, run_name))
        return original(experiment_id=run_experiment)

    set_experiment.__doc__, set_experiment._mlf = original.__doc__, True
    fluent.set_experiment = set_experiment
    if getattr(sys.modules.get("mlflow"), "set_experiment", None) is original:  # mlflow was imported before us
        sys.modules["mlflow"].set_experiment = set_experiment
    _note("mlflow.set_experiment", "kept in experiment %s" % run_experiment)


def _cfs_cpus():
    """CPUs' worth of CFS quota (docker --cpus), rounded up as XGBoost rounds it; None when unlimited/unreadable.
    The same two files XGBoost reads (src/common/threading_utils.cc, GetCfsCPUCount): cgroup v2, then v1."""
    for quota_file, period_file in (("/sys/fs/cgroup/cpu.max", None),
                                    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")):
        try:
            with open(quota_file) as handle:
                fields = handle.read().split()
            if period_file:
                with open(period_file) as handle:
                    fields.append(handle.read().strip())
            quota, period = int(fields[0]), int(fields[1])
        except (OSError, ValueError, IndexError):
            continue  # "max", a missing file, another cgroup layout
        if quota > 0 and period > 0:
            return -(-quota // period)
    return None


def _warn_if_capped(threads):
    """XGBoost caps nthread at the CPUs it may use: the affinity mask (taskset, --cpuset-cpus) and the CFS quota
    (docker --cpus). Measured on XGBoost 3.2.0 (hist, digits): nthread=2 under `taskset -c 0`, and under
    `docker run --cpus 1`, gives the bits of nthread=1, not those of 2 threads on 2 CPUs."""
    limits = [_cfs_cpus()]
    try:
        limits.append(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        pass
    known = [limit for limit in limits if limit]
    available = min(known) if known else threads
    if available < threads:
        _note("xgboost.nthread", "capped at %d by the CPUs available" % available)
        sys.stderr.write(
            "mlf: WARNING: XGBoost will use %d thread(s), not the contract's %d: it caps its threads at the CPUs "
            "this process may use (taskset, --cpuset-cpus, docker --cpus), and the thread count decides its bits. "
            "Give the process %d CPUs, or run with --threads %d everywhere.\n" % (available, threads, threads, available))


# module name -> what to apply once it has been imported
HOOKS = {
    "numpy": apply_numpy,
    "torch": apply_torch,
    "torch._inductor.config": apply_inductor_config,
    "tensorflow": apply_tensorflow,
    "keras": apply_keras,
    "xgboost": apply_xgboost,
    # mlflow/__init__.py imports set_experiment from here: patched before that import, both names see the wrapper.
    "mlflow.tracking.fluent": keep_run_experiment,
}


def apply_to_imported(opts, names=None):
    """Apply the hooks for frameworks already imported (or, with `names`, import and apply those)."""
    apply_python(opts)
    for name, hook in HOOKS.items():
        if names is not None and name in names:
            hook(importlib.import_module(name), opts)
        elif name in sys.modules:
            hook(sys.modules[name], opts)


# The loader and finder below follow importlib's protocols without subclassing importlib.abc, whose import (it pulls
# in importlib.resources) cost every child of `mlf run` 18 ms (python -X importtime).
class _HookedLoader:
    """Runs the real loader, then the contract's hook for the module. Everything else is the real loader's."""

    def __init__(self, inner, hook, opts):
        self._inner, self._hook, self._opts = inner, hook, opts

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        module.__spec__.loader = self._inner
        try:
            module.__loader__ = self._inner
        except AttributeError:  # torch's config modules refuse attributes they do not declare
            pass
        self._hook(module, self._opts)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _PostImportFinder:
    def __init__(self, opts):
        self._opts = opts
        self._pending = set(HOOKS)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self._pending:
            return None
        self._pending.discard(fullname)
        import importlib.util  # only when a hooked framework is imported: 5 ms a start otherwise

        spec = importlib.util.find_spec(fullname)  # the other finders; this one no longer answers for it
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _HookedLoader(spec.loader, HOOKS[fullname], self._opts)
        return spec


def install(opts):
    """Seed Python now; configure each framework right after its first import."""
    apply_python(opts)
    for name in list(HOOKS):
        if name in sys.modules:  # imported before us (by another sitecustomize, say): apply now
            HOOKS[name](sys.modules[name], opts)
    # Installed again (apply_contract called twice): the new options replace the old finder, never stack on it.
    sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "_PostImportFinder"]
    sys.meta_path.insert(0, _PostImportFinder(opts))


def options_from_environment(environ=None):
    environ = os.environ if environ is None else environ
    relax = [name for name in environ.get("MLF_RELAX", "").split(",") if name]
    return Options(environ.get("MLF_SEED", "0"), environ.get("MLF_THREADS", "2"), relax)


def mark_bootstrapped():
    """Tell the parent `mlf run` that this interpreter applied the contract (python -I/-E/-S would skip us)."""
    mark = os.environ.get("MLF_BOOTSTRAP_MARK")
    if mark:
        try:
            with open(mark, "a") as handle:
                handle.write("%d\n" % os.getpid())
        except OSError:
            pass  # the parent then warns that the contract may not have taken effect


def install_from_environment():
    install(options_from_environment())
