"""How the result fingerprint reads each output file, by suffix (or exact name): one or more artifacts.

Generic formats are read here; a framework's model formats by its formats part (frameworks/<name>/formats.py:
torch state dicts, `.keras` and `.h5`, XGBoost's `.ubj`), through the registry. Each reader names the fingerprint
algorithm version that first read its format so (fingerprint.ALGORITHM), so a recorded run is recomputed as it was
taken:

- `.npy` (one tensor, named by its path), `.npz` and `.safetensors` (one per member, `file::key`): tensors by
  dtype, shape and raw bytes, not the container (an .npy header's layout, a zip's member order); since version 1;
- `.json` (XGBoost's model JSON, metrics): canonical JSON; since version 2;
- `MLmodel` (an MLflow model folder's descriptor; mlflow/models/model.py): YAML without the fields that name a
  save rather than a model (`utc_time_created`, `model_uuid`, `run_id`, `model_id`, `artifact_path`,
  `mlflow_version`, `databricks_runtime`); since version 2;
- any other file by its content.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from .. import frameworks
from .artifacts import SEPARATOR, TENSOR, Artifact, array_digest, document, file, tensor

Reader = Callable[[str, Path], Iterator[Artifact]]
MLMODEL_DROPPED = ("utc_time_created", "model_uuid", "run_id", "model_id", "artifact_path", "mlflow_version",
                   "databricks_runtime")


def _file(name: str, path: Path) -> Iterator[Artifact]:
    yield file(name, path)


def npy(name: str, path: Path) -> Iterator[Artifact]:
    import numpy as np

    yield tensor(name, array_digest(np.load(path, allow_pickle=False)))


def npz(name: str, path: Path) -> Iterator[Artifact]:
    import numpy as np

    with np.load(path, allow_pickle=False) as archive:
        for key in sorted(archive.files):
            yield tensor(f"{name}{SEPARATOR}{key}", array_digest(archive[key]))


def _safetensors_header(path: Path) -> tuple[dict, int]:
    with path.open("rb") as stream:
        (length,) = struct.unpack("<Q", stream.read(8))
        return json.loads(stream.read(length)), 8 + length


def safetensors(name: str, path: Path) -> Iterator[Artifact]:
    # The format is an 8-byte length, a JSON header and raw little-endian data: read directly, no extra package.
    try:
        header, start = _safetensors_header(path)
    except (struct.error, ValueError):
        yield file(name, path)
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


def json_file(name: str, path: Path) -> Iterator[Artifact]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        yield file(name, path)
        return
    yield document(name, value)


def mlmodel(name: str, path: Path) -> Iterator[Artifact]:
    import yaml

    try:
        value = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        yield file(name, path)
        return
    yield document(name, {k: v for k, v in value.items() if k not in MLMODEL_DROPPED})


def _load_npy(path: Path, key: str):
    import numpy as np

    return np.load(path, allow_pickle=False)


def _load_npz(path: Path, key: str):
    import numpy as np

    with np.load(path, allow_pickle=False) as archive:
        return archive[key]


def _load_safetensors(path: Path, key: str):
    import numpy as np

    header, start = _safetensors_header(path)
    spec = header[key]
    dtypes = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
              "U8": "u1", "BOOL": "?"}
    begin, end = spec["data_offsets"]
    with path.open("rb") as stream:
        stream.seek(start + begin)
        return np.frombuffer(stream.read(end - begin), dtype=dtypes[spec["dtype"]]).reshape(spec["shape"])


# suffix (lower case) → (reader, the algorithm version that first read it so, its tensor loader or None)
GENERIC = {".npy": (npy, 1, _load_npy), ".npz": (npz, 1, _load_npz), ".safetensors": (safetensors, 1, _load_safetensors),
           ".json": (json_file, 2, None)}
BY_NAME = {"MLmodel": (mlmodel, 2)}


@lru_cache(maxsize=None)
def by_suffix() -> dict[str, tuple[Reader, int, Callable | None]]:
    """Every format by suffix: the generic ones, then each framework's formats part (registry order)."""
    table = dict(GENERIC)
    for _, part in frameworks.parts("formats"):
        table.update(part.READERS)
    return table


def reader(path: Path, algorithm: int) -> Reader:
    """How fingerprint algorithm `algorithm` reads `path`: by its exact name, else its suffix, else its bytes."""
    by_name = BY_NAME.get(path.name)
    if by_name is not None and by_name[1] <= algorithm:
        return by_name[0]
    found = by_suffix().get(path.suffix.lower())
    return found[0] if found is not None and found[1] <= algorithm else _file


def load_tensor(base: Path, name: str):
    """The tensor `name` (as a fingerprint names it) under the output folder `base`, as a NumPy array."""
    file_name, _, key = name.partition(SEPARATOR)
    path = base / file_name
    found = by_suffix().get(path.suffix.lower())
    if found is None or found[2] is None:
        raise ValueError(f"{name} is not a tensor mlf can load")
    return found[2](path, key)
