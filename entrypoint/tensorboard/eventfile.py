"""TensorBoard event files read and written in plain Python: no tensorboard, tensorflow or protobuf import, so mlf
reads them in any image.

An event file (`events.out.tfevents.<seconds>.<host>.<pid>...`) is a TFRecord file (tfrecord.py) of serialized
`Event` messages. The field numbers below are those of tensorboard/compat/proto/event.proto and summary.proto in
https://github.com/tensorflow/tensorboard (checked against the descriptors of tensorboard 2.21's event_pb2 and
summary_pb2):

    Event:          wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), graph_def = 4 (bytes),
                    summary = 5 (Summary), log_message = 6, session_log = 7, tagged_run_metadata = 8,
                    meta_graph_def = 9 (bytes), source_metadata = 10
    Summary:        repeated Value value = 1
    Summary.Value:  tag = 1, simple_value = 2 (float), obsolete_old_style_histogram = 3, image = 4, histo = 5,
                    audio = 6, node_name = 7, tensor = 8 (TensorProto), metadata = 9 (SummaryMetadata)

    SessionLog:     status = 1 (START = 1, STOP = 2, CHECKPOINT = 3), checkpoint_path = 2, msg = 3

The reader yields the summary values (what a training logged, by tag and step) and, with `entries()`, the restarts
a writer marks (a SessionLog START). The writer writes scalars.
"""

from __future__ import annotations

import itertools
import math
import operator
import os
import socket
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import wire
from .errors import CorruptEventFile, TruncatedEventFile  # noqa: F401 — raised by records()
from .tfrecord import HEADER, frame, read_records

PREFIX = "events.out.tfevents."
EVENTS_NAME = PREFIX.rstrip(".")  # a folder's event files taken together, whatever their own names
FILE_VERSION = "brain.Event:2"  # what TensorFlow's and TensorBoard's writers put in each file's first event
_WALL_TIME, _STEP, _FILE_VERSION, _SUMMARY, _SESSION_LOG = 1, 2, 3, 5, 7
_SESSION_STATUS, _START = 1, 1  # SessionLog.status, SessionLog.SessionStatus.START
_VALUE = 1  # Summary.value
_TAG, _SIMPLE_VALUE = 1, 2
# Summary.Value's `value` oneof: field number → kind. The old-style histogram (3) is obsolete (summary.proto says so)
# but still a value: read rather than dropped, so a file that holds one cannot lose it silently.
KINDS = {2: "simple_value", 3: "obsolete_old_style_histogram", 4: "image", 5: "histo", 6: "audio", 8: "tensor"}


@dataclass(frozen=True)
class SummaryValue:
    """One value a training logged: its tag, its event's step, which field of the `value` oneof holds it (KINDS),
    and that field's exact bytes (a simple_value's 4 little-endian float bytes, else the serialized message)."""

    tag: str
    step: int
    kind: str
    payload: bytes

    @property
    def scalar(self) -> float:
        """A simple_value as a Python float (exact: every float32 is a float)."""
        if self.kind != "simple_value":
            raise ValueError(f"{self.tag} at step {self.step} is a {self.kind}, not a simple_value")
        return struct.unpack("<f", self.payload)[0]


@dataclass(frozen=True)
class Restart:
    """A writer's restart at `step` (an event with a SessionLog START: torch's `SummaryWriter(purge_step=S)`, a
    restarted TensorFlow session). TensorBoard then drops every value read before it whose step is `step` or later,
    of every tag (tensorboard/backend/event_processing/plugin_event_accumulator.py, _CheckForRestartAndMaybePurge):
    a training resumed from a checkpoint logs those steps again."""

    step: int


def is_event_file(path: Path | str) -> bool:
    """Whether `path` names a TensorBoard event file (by its name, as TensorBoard finds them:
    tensorboard/backend/event_processing/io_wrapper.py, IsSummaryEventsFile)."""
    return Path(path).name.startswith(PREFIX)


def _values(summary: bytes, step: int) -> Iterator[SummaryValue]:
    for number, _, value in wire.fields(summary):
        if number != _VALUE:
            continue
        tag, kind, payload = "", None, b""
        for inner, _, item in wire.fields(value):
            if inner == _TAG:
                tag = item.decode("utf-8", "replace")
            elif inner in KINDS:  # a oneof: the last one written wins, as protobuf parsers do
                kind, payload = KINDS[inner], item
        if kind is not None:
            yield SummaryValue(tag, step, kind, payload)


def _starts(session_log: bytes) -> bool:
    return any(number == _SESSION_STATUS and wire_type == wire.VARINT and value == _START
               for number, wire_type, value in wire.fields(session_log))


def _event_entries(data: bytes) -> Iterator[SummaryValue | Restart]:
    step, summaries, restart = 0, [], False
    for number, wire_type, value in wire.fields(data):
        if number == _STEP and wire_type == wire.VARINT:
            step = wire.signed64(value)
        elif number == _SUMMARY and wire_type == wire.LENGTH:
            summaries.append(value)  # a message field written twice is merged: its repeated values concatenate
        elif number == _SESSION_LOG and wire_type == wire.LENGTH:
            restart = restart or _starts(value)
    if restart:
        yield Restart(step)
    for summary in summaries:
        yield from _values(summary, step)


def entries(path: Path | str) -> Iterator[SummaryValue | Restart]:
    """Every summary value of the event file at `path` and every restart (Restart), in file order. Everything else an
    event holds (wall time, file version, graphs, run metadata, log messages, the other session logs, each value's
    display metadata) is skipped.

    Raises CorruptEventFile (a failed checksum, a malformed message) and TruncatedEventFile (the file ends inside a
    record), both naming the file and the record's byte offset, after yielding the entries before it."""
    path = Path(path)
    for offset, data in read_records(path):
        try:
            yield from list(_event_entries(data))
        except wire.WireError as err:
            raise CorruptEventFile(path, offset + HEADER.size + err.position,
                                   f"a malformed Event message: {err}") from None


def records(path: Path | str) -> Iterator[SummaryValue]:
    """Every summary value of the event file at `path`, in file order (entries() without the restarts)."""
    return (entry for entry in entries(path) if isinstance(entry, SummaryValue))


def replay(files: Iterable[Iterable[SummaryValue | Restart]]) -> list[SummaryValue]:
    """The values TensorBoard shows from one folder's files, given the entries of each in the order TensorBoard
    reads them (shown()): each restart drops the values read before it at its step or later."""
    values: list[SummaryValue] = []
    for file_entries in files:
        for entry in file_entries:
            if isinstance(entry, Restart):
                values = [value for value in values if value.step < entry.step]
            else:
                values.append(entry)
    return values


def in_folder(folder: Path) -> list[Path]:
    """The event files directly in `folder` (one TensorBoard log), in the order TensorBoard reads them."""
    return reading_order(path for path in folder.iterdir() if path.is_file() and is_event_file(path))


def reading_order(paths: Iterable[Path]) -> list[Path]:
    """One folder's event files in the order TensorBoard reads them: by name, which starts with the time the file was
    opened (tensorboard/backend/event_processing/directory_watcher.py loads a folder's files in sorted order)."""
    return sorted(paths, key=lambda path: path.name)


def shown(paths: Iterable[Path]) -> list[SummaryValue]:
    """The values TensorBoard shows from the event files `paths` of one folder (restarts applied)."""
    return replay(list(entries(path)) for path in reading_order(paths))


# --- writing --------------------------------------------------------------------------------------------------------

_FILE_NUMBER = itertools.count()  # one process's writers, so that two opened in one second get different names


def _float32(value: float) -> bytes:
    # simple_value is a float: rounded like NumPy's float32(), out-of-range values to ±inf instead of an error.
    try:
        return struct.pack("<f", value)
    except OverflowError:
        return struct.pack("<f", math.copysign(math.inf, value))


def _event(step: int, number: int, payload: bytes) -> bytes:
    """An Event at `step`, now, holding `payload` in field `number` (the file version or a summary)."""
    body = wire.field(_WALL_TIME, wire.FIXED64, struct.pack("<d", time.time()))
    body += wire.field(_STEP, wire.VARINT, step) if step else b""  # proto3 leaves a default value out
    return body + wire.field(number, wire.LENGTH, payload)


class ScalarWriter:
    """Writes scalars to a new event file in `log_dir` (created), which TensorBoard and `records()` read:

        with ScalarWriter("out/tb") as writer:
            writer.add_scalar("loss", 0.25, step=1)

    The file is named like TensorBoard's own writers' (`events.out.tfevents.<seconds>.<host>.<pid>.<n>`), its first
    event says the file version, and each add is flushed to the operating system, so a run killed later keeps what
    it logged. A result fingerprint reads the values by tag and step, never the wall times or the file's name."""

    def __init__(self, log_dir: Path | str) -> None:
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        name = f"{PREFIX}{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{next(_FILE_NUMBER)}"
        self.path = self.log_dir / name
        self._stream = self.path.open("xb")
        self._write(_event(0, _FILE_VERSION, FILE_VERSION.encode()))

    def _write(self, event: bytes) -> None:
        self._stream.write(frame(event))
        self._stream.flush()

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """Log `value` (stored as a float32, as TensorBoard's simple_value is) under `tag` at `step` (an int64).
        Raises ValueError naming a bad tag or step, or when the writer is closed."""
        if not isinstance(tag, str) or not tag:
            raise ValueError(f"a scalar's tag must be a non-empty string, got {tag!r}")
        try:  # any integer (NumPy's and JAX's too, through __index__), not a float or a bool
            number = -1 << 64 if isinstance(step, bool) else operator.index(step)
        except TypeError:
            number = -1 << 64
        if not -(1 << 63) <= number < 1 << 63:
            raise ValueError(f"a step must be an int64, got {step!r}")
        if self._stream.closed:
            raise ValueError(f"{self.path} is closed")
        item = wire.field(_TAG, wire.LENGTH, tag.encode()) + wire.field(_SIMPLE_VALUE, wire.FIXED32,
                                                                         _float32(float(value)))
        self._write(_event(number, _SUMMARY, wire.field(_VALUE, wire.LENGTH, item)))

    def close(self) -> None:
        """Close the file; closing again does nothing."""
        self._stream.close()

    def __enter__(self) -> ScalarWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
