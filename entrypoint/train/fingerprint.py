"""The result fingerprint: one hash over the trained artifacts in canonical order, plus the final metrics.

Each output file is one or more *artifacts* (artifacts.py), read by its suffix (formats.py, with each framework's
model formats from its folder):
- tensors by name: `.npy` (one tensor, named by its path), `.npz`, `.safetensors` and torch state dicts
  (`.pt`, `.pth`: one artifact per entry, `file::key`). Only dtype, shape and the raw bytes enter, not the container
  (an .npy header's layout, a zip's member order, a pickle's structure), and a mismatch can name the parameter and
  count its differing elements. (Measured: torch 2.13's torch.save and NumPy 2.4's savez write identical bytes for
  identical tensors, so the container alone would not break the fingerprint — it only hides which tensor differs.)
- model formats with metadata that is not the model (`.keras`, `.h5`, JSON, XGBoost's `.ubj`, MLflow's `MLmodel`)
  canonicalised;
- TensorBoard event files (since version 3): the event files of one folder as one artifact a tag,
  `<folder>/events.out.tfevents::<tag>`, over the values logged under it (tag, step, kind and exact bytes), not
  wall times, file names (time, host, process id), graphs, run metadata or display metadata (formats.py says why);
- any other file by its content;
- the run's final metrics (the last value MLflow holds for each) as `metric:<name>`.

Artifacts are sorted (files first, then metrics, each by name), so "the first differing artifact" is well defined.
`compare()` names it and, for tensors, counts the differing elements and the largest absolute difference; for a
TensorBoard tag, the first step at which the two logs differ.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..tensorboard.errors import CorruptEventFile
from . import formats
from .artifacts import EVENTS, FILE, METRIC, SEPARATOR, TENSOR, Artifact  # noqa: F401 — the fingerprint's vocabulary

# The version of the algorithm below, recorded with every fingerprint. 2: model formats read by formats.py
# (.keras, .h5, JSON, .ubj, MLmodel) instead of by their bytes. 3: TensorBoard event files read by their values, one
# artifact a folder and tag, instead of by their bytes (which hold wall times, and whose names differ every run).
ALGORITHM = 3
ALGORITHMS = frozenset({1, 2, 3})  # every version compute() can still take: records stay readable
_KIND_ORDER = {FILE: 0, TENSOR: 0, EVENTS: 0, METRIC: 1}


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
    artifacts = list(formats.artifacts(files, algorithm))
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
    return formats.load_tensor(base, name)


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


def _events_detail(name: str, first_base: Path | None, second_base: Path | None) -> str:
    """Where two runs' logs of one TensorBoard tag part: the first step whose values differ, read again from the
    output folders (the artifact holds only a digest)."""
    if first_base is None or second_base is None:
        return "the values logged under this tag differ"
    try:
        one, two = formats.load_events(first_base, name), formats.load_events(second_base, name)
    except (OSError, CorruptEventFile) as err:  # a folder gone, a file damaged since the fingerprint
        return f"the values logged under this tag differ (detail unavailable: {err})"
    for a, b in zip(one, two):
        if a != b:
            return f"the values logged under this tag differ first at step {min(a[0], b[0])}" + _values_shown(a, b)
    if len(one) == len(two):
        return "the values logged under this tag differ (the files changed since the fingerprint was taken)"
    longer, which = (one, "first") if len(one) > len(two) else (two, "second")
    return f"the {which} run logged more under this tag, from step {longer[min(len(one), len(two))][0]} on"


def _values_shown(a: tuple[int, str, bytes], b: tuple[int, str, bytes]) -> str:
    if a[0] == b[0] and a[1] == b[1] == "simple_value":
        return f" ({struct.unpack('<f', a[2])[0]!r} != {struct.unpack('<f', b[2])[0]!r})"
    return ""


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
    if a.kind == EVENTS:
        return Mismatch(name, _events_detail(name, first_base, second_base), others=others)
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
