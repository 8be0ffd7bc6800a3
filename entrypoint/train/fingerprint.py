"""The result fingerprint: one hash over the trained artifacts in canonical order, plus the final metrics.

Each output file is one or more *artifacts*, read by its suffix (the table READERS):
- tensors by name: `.npy` (one tensor, named by its path), `.npz`, `.safetensors` and torch state dicts
  (`.pt`, `.pth`: one artifact per entry, `file::key`). Only dtype, shape and the raw bytes enter, not the container
  (an .npy header's layout, a zip's member order, a pickle's structure), and a mismatch can name the parameter and
  count its differing elements. (Measured: torch 2.13's torch.save and NumPy 2.4's savez write identical bytes for
  identical tensors, so the container alone would not break the fingerprint — it only hides which tensor differs.)
- model formats with metadata that is not the model (`.keras`, `.h5`, JSON, XGBoost's `.ubj`, MLflow's `MLmodel`)
  canonicalised by formats.py;
- any other file by its content;
- the run's final metrics (the last value MLflow holds for each) as `metric:<name>`.

Artifacts are sorted (files first, then metrics, each by name), so "the first differing artifact" is well defined.
`compare()` names it and, for tensors, counts the differing elements and the largest absolute difference.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import formats
from .datahash import file_sha256

# The version of the algorithm below, recorded with every fingerprint. 2: model formats read by formats.py
# (.keras, .h5, JSON, .ubj, MLmodel) instead of by their bytes.
ALGORITHM = 2
ALGORITHMS = frozenset({1, 2})  # every version compute() can still take: records stay readable
SEPARATOR = "::"  # file::key for the members of a state dict, .npz or .safetensors file
FILE, TENSOR, METRIC = "file", "tensor", "metric"
_KIND_ORDER = {FILE: 0, TENSOR: 0, METRIC: 1}


@dataclass(frozen=True)
class Artifact:
    name: str
    kind: str
    sha256: str
    dtype: str | None = None
    shape: tuple[int, ...] | None = None
    value: float | None = None  # metrics only

    def to_dict(self) -> dict:
        data = {"name": self.name, "kind": self.kind, "sha256": self.sha256}
        if self.kind == TENSOR:
            data.update(dtype=self.dtype, shape=list(self.shape or ()))
        if self.kind == METRIC:
            data["value"] = self.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> Artifact:
        shape = tuple(data["shape"]) if data.get("shape") is not None else None
        return cls(data["name"], data["kind"], data["sha256"], data.get("dtype"), shape, data.get("value"))


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    artifacts: tuple[Artifact, ...]
    algorithm: int = ALGORITHM

    def to_dict(self) -> dict:
        return {"fingerprint": self.digest, "algorithm": self.algorithm,
                "artifacts": [a.to_dict() for a in self.artifacts]}

    @classmethod
    def from_dict(cls, data: Mapping) -> Fingerprint:
        # Records written before the version was recorded are version 1.
        return cls(data["fingerprint"], tuple(Artifact.from_dict(a) for a in data["artifacts"]),
                   int(data.get("algorithm", 1)))


# --- hashing tensors ------------------------------------------------------------------------------------------------

def _array_digest(array) -> tuple[str, str, tuple[int, ...]]:
    import numpy as np

    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{array.dtype.str}|{array.shape}|".encode())
    digest.update(array.tobytes())
    return digest.hexdigest(), array.dtype.str, tuple(array.shape)


def _torch_digest(tensor) -> tuple[str, str, tuple[int, ...]]:
    import torch

    tensor = tensor.detach().cpu().contiguous()
    raw = tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b""
    digest = hashlib.sha256(f"{tensor.dtype}|{tuple(tensor.shape)}|".encode())
    digest.update(raw)
    return digest.hexdigest(), str(tensor.dtype), tuple(tensor.shape)


def _tensor(name: str, triple: tuple[str, str, tuple[int, ...]]) -> Artifact:
    return Artifact(name, TENSOR, triple[0], triple[1], triple[2])


def _file(name: str, path: Path) -> Iterator[Artifact]:
    yield Artifact(name, FILE, file_sha256(path))


def _npy(name: str, path: Path) -> Iterator[Artifact]:
    import numpy as np

    yield _tensor(name, _array_digest(np.load(path, allow_pickle=False)))


def _npz(name: str, path: Path) -> Iterator[Artifact]:
    import numpy as np

    with np.load(path, allow_pickle=False) as archive:
        for key in sorted(archive.files):
            yield _tensor(f"{name}{SEPARATOR}{key}", _array_digest(archive[key]))


def _flatten(prefix: str, value) -> Iterator[tuple[str, object]]:
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), value[key])
    else:
        yield prefix, value


def _state_dict(name: str, path: Path) -> Iterator[Artifact]:
    try:
        import torch
    except ImportError:  # no torch here: the file is still compared, by content
        yield from _file(name, path)
        return
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 — not a weights-only torch file (a pickled module): compare its bytes
        yield from _file(name, path)
        return
    if not isinstance(loaded, Mapping) and not isinstance(loaded, torch.Tensor):
        yield from _file(name, path)
        return
    for key, value in _flatten("", loaded if isinstance(loaded, Mapping) else {"": loaded}):
        member = f"{name}{SEPARATOR}{key}" if key else name
        if isinstance(value, torch.Tensor):
            yield _tensor(member, _torch_digest(value))
        else:
            text = json.dumps(value, sort_keys=True, default=repr).encode()
            yield Artifact(member, FILE, hashlib.sha256(text).hexdigest())


def _safetensors_header(path: Path) -> tuple[dict, int]:
    with path.open("rb") as stream:
        (length,) = struct.unpack("<Q", stream.read(8))
        return json.loads(stream.read(length)), 8 + length


def _safetensors(name: str, path: Path) -> Iterator[Artifact]:
    # The format is an 8-byte length, a JSON header and raw little-endian data: read directly, no extra package.
    try:
        header, start = _safetensors_header(path)
    except (struct.error, ValueError):
        yield from _file(name, path)
        return
    with path.open("rb") as stream:
        for key in sorted(k for k in header if k != "__metadata__"):
            spec = header[key]
            begin, end = spec["data_offsets"]
            stream.seek(start + begin)
            digest = hashlib.sha256(f"{spec['dtype']}|{tuple(spec['shape'])}|".encode())
            digest.update(stream.read(end - begin))
            yield Artifact(f"{name}{SEPARATOR}{key}", TENSOR, digest.hexdigest(), spec["dtype"],
                           tuple(spec["shape"]))


READERS: dict[str, Callable[[str, Path], Iterator[Artifact]]] = {
    ".npy": _npy,
    ".npz": _npz,
    ".pt": _state_dict,
    ".pth": _state_dict,
    ".safetensors": _safetensors,
    **formats.BY_SUFFIX,
}


# Algorithm 1 read only these by content; every other file, model formats included, by its bytes.
_READERS_1 = {suffix: READERS[suffix] for suffix in (".npy", ".npz", ".pt", ".pth", ".safetensors")}


def _reader(path: Path, algorithm: int = ALGORITHM) -> Callable[[str, Path], Iterator[Artifact]]:
    if algorithm == 1:
        return _READERS_1.get(path.suffix.lower(), _file)
    return formats.BY_NAME.get(path.name) or READERS.get(path.suffix.lower(), _file)


# --- the fingerprint ------------------------------------------------------------------------------------------------

def _is_pattern(entry: str) -> bool:
    return any(c in entry for c in "*?[")


def _expand(base: Path, entry: str) -> list[Path]:
    roots = sorted(base.glob(entry)) if _is_pattern(entry) else [base / entry]
    paths: list[Path] = []
    for root in roots:
        paths += [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return paths


def output_files(base: Path, declared: tuple[str, ...] | list[str] = ()) -> dict[str, Path]:
    """Relative name → path of every file to fingerprint: the declared outputs under `base`, or all of `base`.

    A declared entry is a path (a file, or a folder taken whole) or a glob (`models/*.keras`, `**/*.npy`; pathlib's
    glob); an entry starting with `!` excludes what it names from the entries before it, like .gitignore."""
    found: dict[str, Path] = {}
    for entry in declared or ["."]:
        if entry.startswith("!"):
            for path in _expand(base, entry[1:]):
                found.pop(path.relative_to(base).as_posix(), None)
            continue
        for path in _expand(base, entry):
            found[path.relative_to(base).as_posix()] = path
    return dict(sorted(found.items()))


def missing_outputs(base: Path, declared: tuple[str, ...] | list[str]) -> list[str]:
    """The declared entries that name nothing (a path that does not exist, a glob that matches no file)."""
    return [entry for entry in declared if not entry.startswith("!") and not _expand(base, entry)]


def _metric_artifact(name: str, value: float) -> Artifact:
    # float.hex() is exact: two metrics differ in the fingerprint exactly when their bits differ.
    return Artifact(f"metric:{name}", METRIC, hashlib.sha256(float(value).hex().encode()).hexdigest(),
                    value=float(value))


def compute(files: Mapping[str, Path], metrics: Mapping[str, float] | None = None,
            algorithm: int = ALGORITHM) -> Fingerprint:
    """The fingerprint of `files` and `metrics` by algorithm `algorithm` (this version's by default; an earlier one
    recomputes a recorded run's fingerprint as that run took it)."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"fingerprint algorithm {algorithm} is unknown to this mlf (it knows {sorted(ALGORITHMS)})")
    artifacts = [a for name, path in files.items() for a in _reader(path, algorithm)(name, path)]
    artifacts += [_metric_artifact(name, value) for name, value in (metrics or {}).items()]
    artifacts.sort(key=lambda a: (_KIND_ORDER[a.kind], a.name))
    digest = hashlib.sha256()
    for artifact in artifacts:
        digest.update(f"{artifact.kind}\0{artifact.name}\0{artifact.sha256}\n".encode())
    return Fingerprint(digest.hexdigest(), tuple(artifacts), algorithm)


# --- comparing two fingerprints -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mismatch:
    artifact: str
    reason: str
    differing: int | None = None  # tensors: how many elements differ
    total: int | None = None
    max_abs_diff: float | None = None
    others: int = 0  # further differing artifacts after the first

    def describe(self) -> str:
        text = f"{self.artifact}: {self.reason}"
        if self.differing is not None:
            text += f"; {self.differing} of {self.total} elements differ, largest absolute difference " \
                    f"{self.max_abs_diff:.6g}"
        if self.others:
            text += f" (and {self.others} more differing artifact{'s' if self.others > 1 else ''})"
        return text

    def to_dict(self) -> dict:
        return {"artifact": self.artifact, "reason": self.reason, "differing_elements": self.differing,
                "total_elements": self.total, "max_abs_diff": self.max_abs_diff, "more_differing": self.others}


def load_tensor(base: Path, name: str):
    """The tensor `name` (as a fingerprint names it) under the output folder `base`, as a NumPy array."""
    import numpy as np

    file_name, _, key = name.partition(SEPARATOR)
    path = base / file_name
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return np.load(path, allow_pickle=False)
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            return archive[key]
    if suffix in (".pt", ".pth"):
        import torch

        loaded = torch.load(path, map_location="cpu", weights_only=True)
        value = dict(_flatten("", loaded if isinstance(loaded, Mapping) else {"": loaded}))[key]
        return value.detach().float().numpy() if value.dtype == torch.bfloat16 else value.detach().numpy()
    if suffix in (".keras", ".h5", ".hdf5"):
        return formats.load_tensor(path, key)
    if suffix == ".safetensors":
        header, start = _safetensors_header(path)
        spec = header[key]
        dtypes = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
                  "U8": "u1", "BOOL": "?"}
        begin, end = spec["data_offsets"]
        with path.open("rb") as stream:
            stream.seek(start + begin)
            return np.frombuffer(stream.read(end - begin), dtype=dtypes[spec["dtype"]]).reshape(spec["shape"])
    raise ValueError(f"{name} is not a tensor mlf can load")


def _tensor_detail(first, second) -> tuple[int, int, float]:
    import numpy as np

    a, b = np.asarray(first), np.asarray(second)
    # Bits, not values: NaN == NaN here, and -0.0 != 0.0 (both would change a later computation).
    bits = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}.get(a.dtype.itemsize)
    if bits is not None and a.dtype == b.dtype:
        differing = int(np.count_nonzero(a.reshape(-1).view(bits) != b.reshape(-1).view(bits)))
    else:
        differing = int(np.count_nonzero(a != b))
    with np.errstate(invalid="ignore", over="ignore"):
        delta = np.abs(a.astype(np.float64) - b.astype(np.float64))
    largest = float(np.nanmax(delta)) if delta.size and not np.all(np.isnan(delta)) else float("nan")
    return differing, int(a.size), largest


def compare(first: Fingerprint, second: Fingerprint, first_base: Path | None = None,
            second_base: Path | None = None) -> Mismatch | None:
    """None when the fingerprints are equal; otherwise the first differing artifact in canonical order, with the
    element-wise detail for tensors when both output folders are given."""
    if first.digest == second.digest and first.algorithm == second.algorithm:
        return None
    if first.algorithm != second.algorithm:
        return Mismatch("(fingerprint)", f"the fingerprints were taken with algorithm versions {first.algorithm} and "
                                         f"{second.algorithm}; train both runs with the same mlf version to compare")
    if not first.artifacts or not second.artifacts:
        return Mismatch("(fingerprint)", f"{first.digest[:16]} != {second.digest[:16]}; the artifacts of one run are "
                                         "not available here, so the first differing one cannot be named")
    one = {a.name: a for a in first.artifacts}
    two = {a.name: a for a in second.artifacts}
    order = sorted(set(one) | set(two), key=lambda n: (_KIND_ORDER[(one.get(n) or two[n]).kind], n))
    differing = [n for n in order if n not in one or n not in two or one[n].sha256 != two[n].sha256]
    if not differing:  # same artifacts, different digest: the digest's definition changed between versions
        return Mismatch("(fingerprint)", "the artifacts agree but the fingerprints do not (another mlf version?)")
    name, others = differing[0], len(differing) - 1
    if name not in one or name not in two:
        where = "second" if name not in one else "first"
        return Mismatch(name, f"only in the {where} run", others=others)
    a, b = one[name], two[name]
    if a.kind == METRIC:
        return Mismatch(name, f"{a.value!r} != {b.value!r}", others=others)
    if a.kind != TENSOR:
        return Mismatch(name, "the file's content differs", others=others)
    if a.dtype != b.dtype or a.shape != b.shape:
        return Mismatch(name, f"dtype/shape differ: {a.dtype}{list(a.shape or ())} vs {b.dtype}{list(b.shape or ())}",
                        others=others)
    if first_base is None or second_base is None:
        return Mismatch(name, "the tensor's values differ", others=others)
    try:
        count, total, largest = _tensor_detail(load_tensor(first_base, name), load_tensor(second_base, name))
    except (OSError, KeyError, ValueError) as err:
        return Mismatch(name, f"the tensor's values differ (detail unavailable: {err})", others=others)
    return Mismatch(name, "the tensor's values differ", count, total, largest, others)
