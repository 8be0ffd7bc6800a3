"""The environment key: a stable hash over what decides the bits (docs/sysinfo.md).

One table, in order of importance (`mlf sysinfo --diff` lists differences in this order): each field is read from
a record by a small function and says why it matters. Only facts that are the same on every run on one machine and
image enter; volatile ones (free memory, clocks, temperatures, hostnames, PIDs, times) never do, and neither do
framework run-time reports, which a `--fast` record lacks: a fast and a full record of one machine have one key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from .. import contract, frameworks

# Bump when a field is added, removed or read differently: keys of different versions never compare equal.
KEY_VERSION = 2  # 2: the image's package sets (derived images) and the world size (distributed runs)


def lookup(record: dict, *path: str):
    """record[path[0]][path[1]]..., None where a step is missing (old or partial records)."""
    node = record
    for step in path:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def _distribution(entry) -> str | None:
    return f"{entry['distribution']}=={entry['version']}" if isinstance(entry, dict) else None


def _framework(name: str) -> Callable[[dict], str | None]:
    return lambda record: _distribution(lookup(record, "frameworks", "frameworks", name))


def _library(name: str) -> Callable[[dict], str | None]:
    return lambda record: _distribution(lookup(record, "frameworks", "libraries", name))


def _nvidia(name: str) -> Callable[[dict], str | None]:
    def read(record: dict) -> str | None:
        found = lookup(record, "frameworks", "nvidia_libraries", name) or []
        return ",".join(sorted(_distribution(entry) for entry in found)) or None
    return read


def visible_gpus(record: dict) -> list[dict]:
    return [d for d in lookup(record, "gpu", "devices") or [] if isinstance(d, dict) and d.get("visible", True)]


def _gpu_models(record: dict) -> list[str]:
    return sorted(str(device.get("name")) for device in visible_gpus(record))


def _gpu_mig(record: dict) -> list:
    return [(lookup(device, "mig", "current"), sorted(str(m.get("name")) for m in device.get("mig_devices", [])))
            for device in visible_gpus(record)]


def _dispatch(record: dict) -> dict:
    """The pinned level when the host reaches it; otherwise everything the libraries choose kernels by."""
    dispatch = lookup(record, "cpu", "dispatch") or {}
    if dispatch.get("pinned") and dispatch.get("pinned") == dispatch.get("effective"):
        return {"pinned": dispatch["pinned"], "effective": dispatch["effective"]}
    # Not pinned (or the host is below the pin): MKL and oneDNN choose by every ISA extension and by vendor.
    return {"pinned": dispatch.get("pinned"), "effective": dispatch.get("effective"),
            "isa_flags": lookup(record, "cpu", "isa_flags"), "vendor": lookup(record, "cpu", "vendor")}


def _per_run_variables() -> frozenset[str]:
    """Contract variables whose value is the seed or the thread count: they have their own fields."""
    one, other = contract.Settings(seed=1, threads=1), contract.Settings(seed=2, threads=2)
    first, second = contract.environment(one, "x86_64"), contract.environment(other, "x86_64")
    return frozenset(name for name in first if first[name] != second.get(name))


_PER_RUN = _per_run_variables()


def _contract_environment(record: dict) -> dict | None:
    environment = lookup(record, "contract", "environment")
    if not isinstance(environment, dict):
        return None
    return {name: value for name, value in environment.items() if name not in _PER_RUN}


def _image_set(which: str) -> Callable[[dict], str | None]:
    """An image's installed package set (sysinfo/image.py), where a build manifest shows it is one of ours or built
    FROM one: a derived image then gets its own key. Outside images the set is not a field: a venv's tools
    (pytest, ipython) come and go without changing the bits, and the fields above name the libraries that do."""
    def read(record: dict) -> str | None:
        image = lookup(record, "system", "container", "image") or {}
        return image.get(which) if image.get("manifest") else None
    return read


@dataclass(frozen=True)
class Field:
    name: str
    read: Callable[[dict], object]
    why: str


_FRAMEWORK_WHY = "another framework version can change kernels, defaults and the order of floating-point operations"
_CUDA_WHY = "CUDA libraries choose GPU kernels and algorithms by version"
_IMAGE_WHY = "another image means other pinned packages; the fields above say which of them matter"

# The table, most important first.
FIELDS: tuple[Field, ...] = (
    Field("seed", lambda r: lookup(r, "contract", "seed"), "every random generator starts from the seed"),
    Field("threads", lambda r: lookup(r, "contract", "threads"),
          "the thread count decides how reductions are split and summed: measured, torch CPU training gives "
          "different bits at 1, 2 and 4 threads"),
    # each framework's components, registry order (a component enters the key in the version it names)
    *(Field(f"framework.{component.name}", _framework(component.name), _FRAMEWORK_WHY)
      for framework in frameworks.registered() for component in framework.components),
    Field("world_size", lambda r: lookup(r, "distributed", "world_size") or 1,
          "the number of ranks decides how the data is partitioned and the order in which gradients are summed"),
    Field("arch", lambda r: lookup(r, "cpu", "arch"), "another CPU architecture runs other kernels altogether"),
    Field("cpu.dispatch", _dispatch,
          "CPU kernel dispatch decides the bits: measured, torch's default and avx2 kernels differ, and so do "
          "oneDNN and MKL code paths; the contract pins it when portable"),
    Field("gpu.models", _gpu_models, "each GPU model has its own kernels, tensor cores and cuBLAS heuristics"),
    Field("gpu.count", lambda r: len(visible_gpus(r)),
          "the number of GPUs decides data-parallel splits and the reduction order across devices"),
    Field("gpu.mig", _gpu_mig, "a MIG slice has fewer SMs, which changes kernel choices"),
    Field("cuda.runtime", _nvidia("cuda_runtime"), _CUDA_WHY),
    Field("cuda.cudnn", _nvidia("cudnn"), "cuDNN versions differ in their convolution algorithms"),
    Field("cuda.nccl", _nvidia("nccl"), "NCCL versions differ in reduction algorithms and order"),
    Field("cuda.cublas", _nvidia("cublas"), "cuBLAS versions differ in GEMM kernels and heuristics"),
    Field("gpu.driver", lambda r: lookup(r, "gpu", "driver_version"),
          "the driver compiles PTX and carries the CUDA driver: another driver can run other code"),
    Field("gpu.cuda_driver", lambda r: lookup(r, "gpu", "cuda_driver_version"),
          "the highest CUDA version the driver supports"),
    Field("contract.environment", _contract_environment,
          "the determinism contract's environment variables (other than seed and thread count)"),
    Field("contract.kept_from_environment", lambda r: lookup(r, "contract", "kept_from_environment") or None,
          "contract values the environment set itself and the run kept (OPENBLAS_CORETYPE)"),
    Field("contract.portable", lambda r: lookup(r, "contract", "portable"),
          "portable mode pins CPU kernel dispatch to a level every host of the arch has"),
    Field("contract.deviations", lambda r: lookup(r, "contract", "deviations"),
          "variables the run was allowed to keep against the contract"),
    Field("contract.allow", lambda r: lookup(r, "contract", "allow"), "contract switches relaxed by [tool.mlf] allow"),
    Field("contract.nondeterministic", lambda r: lookup(r, "contract", "nondeterministic"),
          "a run marked non-deterministic is not covered by the contract"),
    Field("library.numpy", _library("numpy"), "NumPy's versions differ in BLAS, SIMD kernels and summation"),
    Field("library.scipy", _library("scipy"), "SciPy's versions differ in algorithms and their defaults"),
    Field("library.scikit-learn", _library("scikit-learn"),
          "scikit-learn's versions differ in algorithms, defaults and data splits"),
    Field("python", lambda r: lookup(r, "system", "python", "version"),
          "the Python version can change hashing, random's algorithms and float formatting"),
    Field("libc", lambda r: lookup(r, "system", "libc"),
          "glibc's libm rounds some functions differently between versions (exp, log and pow were rewritten in "
          "glibc 2.28)"),
    Field("image.name", lambda r: lookup(r, "system", "container", "image", "name"), _IMAGE_WHY),
    Field("image.tag", lambda r: lookup(r, "system", "container", "image", "tag"), _IMAGE_WHY),
    Field("image.variant", lambda r: lookup(r, "system", "container", "image", "variant"),
          "cpu and cuda variants carry different libraries"),
    Field("image.lock_hash", lambda r: lookup(r, "system", "container", "image", "lock_hash"),
          "the image's hash-locked requirements: any pinned package differs"),
    Field("image.python_packages", _image_set("packages_sha256"),
          "the image's installed Python distributions: an image built FROM ours with one more package differs"),
    Field("image.debian_packages", _image_set("debian_sha256"),
          "the image's installed Debian packages: system libraries (BLAS, libgomp) can change the bits"),
)

BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}


# The fields each earlier version did not have: a record keeps its key's version, and its key recomputes by it.
# A framework's component names the version it entered the key in (frameworks/interface.py, Component.key_since).
ADDED_IN = {2: frozenset({"world_size", "contract.kept_from_environment", "image.python_packages",
                          "image.debian_packages"})}
for _component in (c for f in frameworks.registered() for c in f.components if c.key_since > 1):
    ADDED_IN.setdefault(_component.key_since, frozenset())
    ADDED_IN[_component.key_since] |= {f"framework.{_component.name}"}


def fields(version: int = KEY_VERSION) -> tuple[Field, ...]:
    if not 1 <= version <= KEY_VERSION:
        raise ValueError(f"environment key version {version} is unknown to this mlf (it knows 1 to {KEY_VERSION})")
    later = set().union(*(names for added, names in ADDED_IN.items() if added > version))
    return tuple(field for field in FIELDS if field.name not in later)


def values(record: dict, version: int = KEY_VERSION) -> dict[str, object]:
    """Each key field's value in `record`, JSON-normalised (tuples become lists), in table order."""
    return json.loads(json.dumps({field.name: field.read(record) for field in fields(version)}, default=str))


def environment_key(record: dict, version: int = KEY_VERSION) -> dict:
    """{"key": sha256 hex, "version": VERSION, "fields": [names]} for `record` (a dict as collect() returns), by this
    version's fields or, for a recorded run, by the version its key was taken with."""
    canonical = json.dumps({"version": version, "values": values(record, version)}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=True)
    digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()
    return {"key": digest, "version": version, "fields": [field.name for field in fields(version)]}
