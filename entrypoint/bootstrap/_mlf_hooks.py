"""Seeds and framework switches of the determinism contract, applied in-process.

Used two ways: by the child bootstrap of `mlf run` (post-import hooks, so each framework is configured the moment it is
first imported and never imported otherwise) and by the public API `mlfcore.entrypoint.apply_contract` (applied at
once to what is importable). This module holds the generic hooks (Python, NumPy, MLflow); each framework's are in
its folder (frameworks/<name>/hooks.py), listed by frameworks/registry.py. Imports nothing from mlfcore, and loads
those files by path: the child may be another interpreter than the one mlf runs in. Environment variable names
match entrypoint/variables.py; the seed and thread count are read by entrypoint/run_settings.py, loaded the same way.
"""

import importlib
import os
import random
import sys
from importlib.machinery import SourceFileLoader  # 0.04 ms: importlib._bootstrap_external is loaded at start-up

APPLIED = []  # (entry name, value) in the order applied: the API returns it, tests read it

_ENTRYPOINT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_FRAMEWORKS = os.path.join(_ENTRYPOINT, "frameworks")


class Options:
    def __init__(self, seed, threads, relax=(), portable=True):
        self.seed = int(seed)
        self.threads = int(threads)
        self.relax = frozenset(relax)
        self.portable = bool(portable)  # CPU dispatch pinned to the portable level (a switch may pin it in-process)

    def note(self, name, value):
        """Record an applied entry (the framework hooks call it)."""
        APPLIED.append((name, value))


def _load(name, path):
    """The module at `path` as `name`, once per process (its bytecode cache is used where one was written): the
    bootstrap's copy and apply_contract's share it, and with it a framework hook's state."""
    module = sys.modules.get(name)
    if module is None:
        module = type(sys)(name)
        module.__file__ = path
        SourceFileLoader(name, path).exec_module(module)
        sys.modules[name] = module
    return module


def _registry():
    """frameworks/registry.py's NAMES, read without importing mlfcore."""
    return _load("_mlf_registry", os.path.join(_FRAMEWORKS, "registry.py")).NAMES


def _framework_hooks():
    hooks = {}
    for name in _registry():
        path = os.path.join(_FRAMEWORKS, name, "hooks.py")
        if os.path.isfile(path):
            hooks.update(_load("_mlf_hooks_" + name, path).HOOKS)
    return hooks


def run_settings():
    """entrypoint/run_settings.py, the one reader of MLF_SEED and MLF_THREADS."""
    return _load("_mlf_run_settings", os.path.join(_ENTRYPOINT, "run_settings.py"))


def apply_python(opts):
    random.seed(opts.seed)
    opts.note("random.seed", opts.seed)


def apply_numpy(np, opts):
    np.random.seed(opts.seed)
    opts.note("numpy.random.seed", opts.seed)


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
    opts.note("mlflow.set_experiment", "kept in experiment %s" % run_experiment)


# module name -> what to apply once it has been imported: NumPy, then each framework's (registry order), then MLflow.
HOOKS = {
    "numpy": apply_numpy,
    **_framework_hooks(),
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
    settings = run_settings()
    return Options(settings.seed(environ), settings.threads(environ), relax, environ.get("MLF_PORTABLE") != "0")


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
