"""The typed errors of reading an event file: each names the file and the byte offset of the record at fault."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError


class CorruptEventFile(UsageError):
    """An event file that is not what its format says: a checksum that fails, a malformed protobuf message."""

    def __init__(self, path: Path, offset: int, problem: str) -> None:
        super().__init__(f"{path}: corrupt event file at byte {offset}: {problem}",
                         hint="the file was damaged after it was written, or is not a TensorBoard event file")
        self.path, self.offset, self.problem = path, offset, problem


class TruncatedEventFile(CorruptEventFile):
    """An event file that ends inside a record: its writer was killed mid-write, or the copy is incomplete.

    An error, not a quiet end of the file: TensorBoard's own reader waits there for the rest of a file that is still
    being written, but mlf reads finished runs, and a result fingerprint must never take a partial file for a whole
    one (mlf lint treats a file it checked only in part the same way: incomplete blocks). The records before it
    were read: the reader yields them before it raises."""

    def __init__(self, path: Path, offset: int, problem: str) -> None:
        super().__init__(path, offset, problem)
        self.message = f"{path}: truncated event file: the record at byte {offset} is incomplete ({problem})"
        self.args = (self.message,)
