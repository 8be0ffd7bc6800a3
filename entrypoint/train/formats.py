"""Model formats the fingerprint reads by their content, so metadata that is not the model does not break `verify`.

Each reader yields the fingerprint's artifacts for one file (`file::member` names), canonicalised:
- `.keras` (Keras 3's zip: config.json, metadata.json, model.weights.h5; keras/src/saving/saving_lib.py): the
  config as canonical JSON with its `shared_object_id`s (Python object ids, which link objects shared between
  layers; keras/src/saving/serialization_lib.py) renumbered in order of appearance, metadata.json without
  `date_saved` (measured with Keras 3.15: two saves of one model a second apart differ in both, and so in the zip's
  bytes), the weights file's datasets as tensors;
- `.h5`/`.hdf5` (Keras' legacy format, h5py files): every dataset as a tensor by its path, every attribute as
  canonical JSON; not the file's bytes (HDF5 lays out the same data in different ways);
- `.json` (XGBoost's model JSON, metrics): canonical JSON (keys sorted, no whitespace), so key order and
  indentation do not count while every number does;
- `.ubj` (XGBoost's UBJSON model, its default format since 2.1): loaded with XGBoost and written as JSON, then as
  above; the bytes when XGBoost is not installed;
- `MLmodel` (an MLflow model folder's descriptor; mlflow/models/model.py): YAML without the fields that name a
  save rather than a model (`utc_time_created`, `model_uuid`, `run_id`, `model_id`, `artifact_path`,
  `mlflow_version`, `databricks_runtime`).
Tensors enter as dtype, shape and raw bytes, like every tensor the fingerprint hashes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

SEPARATOR = "::"
KERAS_DROPPED = ("date_saved",)
MLMODEL_DROPPED = ("utc_time_created", "model_uuid", "run_id", "model_id", "artifact_path", "mlflow_version",
                   "databricks_runtime")


def _artifact(name: str, kind: str, sha256: str, dtype: str | None = None, shape: tuple | None = None):
    from .fingerprint import FILE, TENSOR, Artifact

    return Artifact(name, TENSOR if kind == "tensor" else FILE, sha256, dtype, shape)


def _canonical(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


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


def _bytes_digest(path: Path) -> str:
    from .datahash import file_sha256

    return file_sha256(path)


def _attribute(value: object) -> object:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    tolist = getattr(value, "tolist", None)
    return tolist() if tolist is not None else value


def _h5_members(name: str, source) -> Iterator:
    """Tensors and attributes of an HDF5 file (a path or a file object)."""
    import h5py
    import numpy as np

    from .fingerprint import _array_digest

    datasets: list[str] = []
    attributes: dict[str, dict] = {}
    with h5py.File(source, "r") as handle:
        handle.visititems(lambda key, obj: datasets.append(key) if isinstance(obj, h5py.Dataset) else None)
        for group in [handle] + [handle[k] for k in sorted(_groups(handle))]:
            if group.attrs:
                attributes[group.name] = {k: _attribute(v) for k, v in sorted(group.attrs.items())}
        for key in sorted(datasets):
            digest, dtype, shape = _array_digest(np.asarray(handle[key][()]))
            yield _artifact(f"{name}{SEPARATOR}{key}", "tensor", digest, dtype, shape)
    if attributes:
        yield _artifact(f"{name}{SEPARATOR}@attributes", "file", _canonical(attributes))


def _groups(handle) -> list[str]:
    import h5py

    found: list[str] = []
    handle.visititems(lambda key, obj: found.append(key) if isinstance(obj, h5py.Group) else None)
    return found


def h5(name: str, path: Path) -> Iterator:
    try:
        members = list(_h5_members(name, str(path)))
    except (ImportError, OSError):  # no h5py here, or not an HDF5 file: compare the bytes
        members = [_artifact(name, "file", _bytes_digest(path))]
    yield from members


def keras(name: str, path: Path) -> Iterator:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield _artifact(name, "file", _bytes_digest(path))
        return
    with archive:
        for member in sorted(archive.namelist()):
            data = archive.read(member)
            label = f"{name}{SEPARATOR}{member}"
            if member.endswith(".json"):
                document = json.loads(data)
                if member == "metadata.json" and isinstance(document, dict):
                    document = {k: v for k, v in document.items() if k not in KERAS_DROPPED}
                if member == "config.json":
                    document = _renumber(document, {})
                yield _artifact(label, "file", _canonical(document))
            elif member.endswith(".h5"):
                try:
                    yield from list(_h5_members(label, io.BytesIO(data)))
                except (ImportError, OSError):
                    yield _artifact(label, "file", hashlib.sha256(data).hexdigest())
            else:
                yield _artifact(label, "file", hashlib.sha256(data).hexdigest())


def json_file(name: str, path: Path) -> Iterator:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        yield _artifact(name, "file", _bytes_digest(path))
        return
    yield _artifact(name, "file", _canonical(document))


def ubj(name: str, path: Path) -> Iterator:
    try:
        import xgboost
    except ImportError:
        yield _artifact(name, "file", _bytes_digest(path))
        return
    try:
        booster = xgboost.Booster(model_file=str(path))
    except xgboost.core.XGBoostError:
        yield _artifact(name, "file", _bytes_digest(path))
        return
    yield _artifact(name, "file", _canonical(json.loads(bytes(booster.save_raw("json")))))


def mlmodel(name: str, path: Path) -> Iterator:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):
        yield _artifact(name, "file", _bytes_digest(path))
        return
    yield _artifact(name, "file", _canonical({k: v for k, v in document.items() if k not in MLMODEL_DROPPED}))


# Suffix (lower case) or exact file name → reader.
BY_SUFFIX = {".keras": keras, ".h5": h5, ".hdf5": h5, ".json": json_file, ".ubj": ubj}
BY_NAME = {"MLmodel": mlmodel}


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
