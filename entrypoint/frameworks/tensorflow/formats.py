"""Keras' and HDF5 model files as the result fingerprint reads them (train/formats.py), canonicalised so metadata
that is not the model does not break `verify`:

- `.keras` (Keras 3's zip: config.json, metadata.json, model.weights.h5; keras/src/saving/saving_lib.py): the
  config as canonical JSON with its `shared_object_id`s (Python object ids, which link objects shared between
  layers; keras/src/saving/serialization_lib.py) renumbered in order of appearance, metadata.json without
  `date_saved` (measured with Keras 3.15: two saves of one model a second apart differ in both, and so in the zip's
  bytes), the weights file's datasets as tensors;
- `.h5`/`.hdf5` (Keras' legacy format, h5py files): every dataset as a tensor by its path, every attribute as
  canonical JSON; not the file's bytes (HDF5 lays out the same data in different ways).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ...train.artifacts import FILE, SEPARATOR, Artifact, array_digest, document, file, tensor

KERAS_DROPPED = ("date_saved",)


def _renumber(value: object, ids: dict) -> object:
    """The config with each shared_object_id replaced by its order of first appearance (keys walked sorted)."""
    if isinstance(value, dict):
        result = {}
        for key in sorted(value):
            item = value[key]
            if key == "shared_object_id" and isinstance(item, int):
                result[key] = ids.setdefault(item, len(ids))
            else:
                result[key] = _renumber(item, ids)
        return result
    if isinstance(value, list):
        return [_renumber(item, ids) for item in value]
    return value


def _attribute(value: object) -> object:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    tolist = getattr(value, "tolist", None)
    return tolist() if tolist is not None else value


def _h5_members(name: str, source) -> Iterator:
    """Tensors and attributes of an HDF5 file (a path or a file object)."""
    import h5py
    import numpy as np

    datasets: list[str] = []
    attributes: dict[str, dict] = {}
    with h5py.File(source, "r") as handle:
        handle.visititems(lambda key, obj: datasets.append(key) if isinstance(obj, h5py.Dataset) else None)
        for group in [handle] + [handle[k] for k in sorted(_groups(handle))]:
            if group.attrs:
                attributes[group.name] = {k: _attribute(v) for k, v in sorted(group.attrs.items())}
        for key in sorted(datasets):
            yield tensor(f"{name}{SEPARATOR}{key}", array_digest(np.asarray(handle[key][()])))
    if attributes:
        yield document(f"{name}{SEPARATOR}@attributes", attributes)


def _groups(handle) -> list[str]:
    import h5py

    found: list[str] = []
    handle.visititems(lambda key, obj: found.append(key) if isinstance(obj, h5py.Group) else None)
    return found


def h5(name: str, path: Path) -> Iterator:
    try:
        members = list(_h5_members(name, str(path)))
    except (ImportError, OSError):  # no h5py here, or not an HDF5 file: compare the bytes
        members = [file(name, path)]
    yield from members


def keras(name: str, path: Path) -> Iterator:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield file(name, path)
        return
    with archive:
        for member in sorted(archive.namelist()):
            data = archive.read(member)
            label = f"{name}{SEPARATOR}{member}"
            if member.endswith(".json"):
                value = json.loads(data)
                if member == "metadata.json" and isinstance(value, dict):
                    value = {k: v for k, v in value.items() if k not in KERAS_DROPPED}
                if member == "config.json":
                    value = _renumber(value, {})
                yield document(label, value)
            elif member.endswith(".h5"):
                try:
                    yield from list(_h5_members(label, io.BytesIO(data)))
                except (ImportError, OSError):
                    yield Artifact(label, FILE, hashlib.sha256(data).hexdigest())
            else:
                yield Artifact(label, FILE, hashlib.sha256(data).hexdigest())


def load_tensor(path: Path, key: str):
    """A tensor of a `.keras` or `.h5` file by the member name the fingerprint gives it (for mismatch details)."""
    import h5py
    import numpy as np

    if path.suffix.lower() == ".keras":
        member, _, dataset = key.partition(SEPARATOR)
        with zipfile.ZipFile(path) as archive, h5py.File(io.BytesIO(archive.read(member)), "r") as handle:
            return np.asarray(handle[dataset][()])
    with h5py.File(path, "r") as handle:
        return np.asarray(handle[key][()])


# suffix → (reader, the fingerprint algorithm that first read it so, the tensor loader)
READERS = {".keras": (keras, 2, load_tensor), ".h5": (h5, 2, load_tensor), ".hdf5": (h5, 2, load_tensor)}
