"""XGBoost's seed and thread count for every Booster, applied by the child bootstrap right after `import xgboost`
(bootstrap/_mlf_hooks.py) and by `apply_contract`. Imports nothing from mlfcore: the bootstrap loads this file by
path in any interpreter. Each hook records what it applied through `opts.note(entry name, value)`.
"""

import os
import sys

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
    opts.note("xgboost.seed", opts.seed)
    if "nthread" in _XGBOOST_DEFAULTS:
        opts.note("xgboost.nthread", opts.threads)
        _warn_if_capped(opts)


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


def _warn_if_capped(opts):
    """XGBoost caps nthread at the CPUs it may use: the affinity mask (taskset, --cpuset-cpus) and the CFS quota
    (docker --cpus). Measured on XGBoost 3.2.0 (hist, digits): nthread=2 under `taskset -c 0`, and under
    `docker run --cpus 1`, gives the bits of nthread=1, not those of 2 threads on 2 CPUs."""
    threads = opts.threads
    limits = [_cfs_cpus()]
    try:
        limits.append(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        pass
    known = [limit for limit in limits if limit]
    available = min(known) if known else threads
    if available < threads:
        opts.note("xgboost.nthread", "capped at %d by the CPUs available" % available)
        sys.stderr.write(
            "mlf: WARNING: XGBoost will use %d thread(s), not the contract's %d: it caps its threads at the CPUs "
            "this process may use (taskset, --cpuset-cpus, docker --cpus), and the thread count decides its bits. "
            "Give the process %d CPUs, or run with --threads %d everywhere.\n" % (available, threads, threads, available))


# module name -> what to apply once it has been imported
HOOKS = {
    "xgboost": apply_xgboost,
}
