"""What the result fingerprint is made of: artifacts, and how a tensor, a file or a document becomes one.

Each output file is one or more artifacts (formats.py reads it by its suffix; a framework's model formats are read
by its formats part, frameworks/<name>/formats.py). Tensors enter as dtype, shape and raw bytes; files by content;
documents as canonical JSON; the TensorBoard event files of a folder as one artifact a tag, over its logged values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..files import sha256

SEPARATOR = "::"  # file::key for the members of a state dict, .npz, .safetensors or model archive
FILE, TENSOR, METRIC, EVENTS = "file", "tensor", "metric", "events"


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


def array_digest(array) -> tuple[str, str, tuple[int, ...]]:
    """(SHA-256 of dtype, shape and bytes, dtype, shape) of a NumPy array."""
    import numpy as np

    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{array.dtype.str}|{array.shape}|".encode())
    digest.update(array.tobytes())
    return digest.hexdigest(), array.dtype.str, tuple(array.shape)


def tensor(name: str, triple: tuple[str, str, tuple[int, ...]]) -> Artifact:
    """A tensor artifact from (digest, dtype, shape)."""
    return Artifact(name, TENSOR, triple[0], triple[1], triple[2])


def file(name: str, path: Path) -> Artifact:
    """A file by its bytes."""
    return Artifact(name, FILE, sha256(path))


def canonical_digest(value: object) -> str:
    """SHA-256 of a document as canonical JSON (keys sorted, no whitespace): key order and indentation do not
    count, every value does."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def document(name: str, value: object) -> Artifact:
    """A document (a config, a model's JSON) as canonical JSON."""
    return Artifact(name, FILE, canonical_digest(value))


def event_values(values) -> list[tuple[int, str, bytes]]:
    """A tag's summary values (tensorboard.SummaryValue, restarts applied) as sorted (step, kind, payload): the order
    of the files and of the records in them does not count, each value does, as often as it is shown."""
    return sorted((v.step, v.kind, v.payload) for v in values)


def events(name: str, values) -> Artifact:
    """One tag's summary values (tensorboard.SummaryValue) as an artifact, each length-prefixed so that no two
    different sequences hash alike."""
    digest = hashlib.sha256()
    for step, kind, payload in event_values(values):
        digest.update(f"{step}\0{kind}\0{len(payload)}\0".encode())
        digest.update(payload)
    return Artifact(name, EVENTS, digest.hexdigest())
