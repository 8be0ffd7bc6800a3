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
- TensorBoard event files (`events.out.tfevents.*`, read by tensorboard/eventfile.py): since version 3, by what
  they log. The event files of one folder are one log (TensorBoard shows them as one run), and it enters as one
  artifact a tag, `<folder>/events.out.tfevents::<tag>` (eventfile.EVENTS_NAME; no folder part at the top), over
  that tag's values as TensorBoard shows them, sorted by (step, kind, payload). As TensorBoard does, the files are
  read in name order (the time each was opened), and a restart a writer marks (a SessionLog START at step S:
  torch's `SummaryWriter(purge_step=S)` when a training resumes from its checkpoint) drops the values read before it
  at step S or later, so a resumed run that says so logs what an uninterrupted one does. Otherwise the order of the
  files and of their records does not count; a value logged twice counts twice, as TensorBoard shows it twice.
  Left out, because they name the writing rather than the result: each event's wall time, the files' names (their
  time, host and process id), the file version, graphs (`graph_def`, `meta_graph_def`: a description of the
  computation, not what it computed), `tagged_run_metadata` (step timings and memory), `session_log` (but for
  a START's restart: writer start/stop and checkpoint paths), `log_message`, `source_metadata` (the name of the writing library), and each
  value's `metadata` (how to show it: display name, description, plugin data) and `node_name` (a TF1 graph node's
  name). Writers differ in how often they repeat the metadata (TF1's FileWriter keeps it on a tag's first value
  only, a restarted job's new writer writes it again; measured, TF 2.21's tf.summary writes it with every value,
  torch's add_scalar never), and TensorBoard itself reads only a tag's first metadata
  (tensorboard/backend/event_processing/plugin_event_accumulator.py): counting it would fail a resumed run for
  nothing it computed. A value that is a timing (Keras' `write_steps_per_second`) still counts: mlf cannot tell it
  from a loss. An event file that cannot be read (a failed checksum, a truncated last record) enters by its bytes
  under its own name, so it never verifies by accident; one without summary values adds nothing. Versions 1 and 2
  read event files by their bytes;
- any other file by its content.
"""

from __future__ import annotations

import hashlib
import json
import struct
import posixpath
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from .. import frameworks
from ..tensorboard import eventfile
from .artifacts import SEPARATOR, TENSOR, Artifact, array_digest, document, event_values, events, file, tensor

Reader = Callable[[str, Path], Iterator[Artifact]]
EVENT_FILES_SINCE = 3  # the fingerprint algorithm version that first read event files by their values
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


# --- TensorBoard event files ----------------------------------------------------------------------------------------

def event_artifact(folder: str, tag: str) -> str:
    """The artifact name of `tag` logged in the event files of `folder` (relative, POSIX; "" for the top)."""
    return posixpath.join(folder, f"{eventfile.EVENTS_NAME}{SEPARATOR}{tag}")


def _event_folder(folder: str, members: list[tuple[str, Path]]) -> Iterator[Artifact]:
    readable = []
    by_path = {path: name for name, path in members}
    for path in eventfile.reading_order(by_path):
        try:
            readable.append(list(eventfile.entries(path)))
        except eventfile.CorruptEventFile:
            yield file(by_path[path], path)  # by its bytes, under its own name: a damaged log never verifies by accident
    by_tag: dict[str, list] = {}
    for value in eventfile.replay(readable):
        by_tag.setdefault(value.tag, []).append(value)
    for tag, values in sorted(by_tag.items()):
        yield events(event_artifact(folder, tag), values)


def artifacts(files: Mapping[str, Path], algorithm: int) -> Iterator[Artifact]:
    """Every artifact of `files` (name → path) as fingerprint algorithm `algorithm` reads them: each file by its
    reader, event files (from version 3) a folder at a time."""
    folders: dict[str, list[tuple[str, Path]]] = {}
    for name, path in files.items():
        if algorithm >= EVENT_FILES_SINCE and eventfile.is_event_file(path):
            folders.setdefault(posixpath.dirname(name), []).append((name, path))
        else:
            yield from reader(path, algorithm)(name, path)
    for folder, members in sorted(folders.items()):
        yield from _event_folder(folder, members)


def load_events(base: Path, name: str) -> list[tuple[int, str, bytes]]:
    """The sorted (step, kind, payload) values of the event artifact `name` from the event files under the output
    folder `base` (for naming where two runs' logs of a tag part)."""
    stem, _, tag = name.partition(SEPARATOR)
    folder = base / posixpath.dirname(stem)
    return event_values([value for value in eventfile.shown(eventfile.in_folder(folder)) if value.tag == tag])
