"""Files mlf writes, hashes and recognises: the one owner of three policies.

- **Written whole or not at all** (`atomic_write`): the content goes to a new file beside the target, which is
  renamed over it (POSIX rename(2) replaces a name atomically), so a reader sees the old file or the new one, never
  half of one; `durable=True` also flushes the file and its folder to disk before and after the rename, so a crash
  right after cannot leave the name pointing at unwritten data (checkpoints). `write_atomically` is the same for
  files a person asked for (`--record`, `--output`): checked first, a failure is a UsageError.
- **Hashed** (`sha256`): SHA-256 of a file, streamed in 1 MiB reads (data sets, outputs, checkpoints, sources).
- **Recognised unchanged** (`FileKey`): a file's stat identity — size, mtime, ctime, inode — and the racy-file
  rule, shared by the data-hash cache (train/datacache.py) and the lint cache (lint/cache.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from .errors import UsageError
from .frozen import Frozen

CHUNK = 1 << 20
# 1 s covers filesystems with whole-second timestamps (ext3, HFS+, many NFS servers); ext4, xfs and tmpfs stamp
# files from the kernel's coarse clock, one jiffy (1-10 ms).
RACY_NS = 1_000_000_000


def check_target(path: Path) -> None:
    """Raise UsageError unless `path` can be written: its folder exists and is writable, and it is no folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder", hint="give a file name")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist", hint="create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: the folder {folder} is not writable")


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _new_file_beside(target: Path) -> Path:
    """A new, empty file in the target's folder with a name no other writer uses, with the permissions a plain
    write would give it (0666 less the umask; tempfile's would be 0600)."""
    for _ in range(100):
        candidate = target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp"
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def atomic_write(target: Path | str, content: str | bytes | Callable[[Path], None], *, durable: bool = False,
                 keep_mode: bool = False) -> None:
    """Write `content` (text, bytes, or a function that writes the file at the path it is given) to a new file
    beside `target`, then rename it over `target`. `keep_mode`: the new file gets the old one's permission bits.
    Raises OSError; the new file is removed on any failure."""
    target = Path(target)
    temporary = _new_file_beside(target)
    try:
        if callable(content):
            content(temporary)
        elif isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            temporary.write_text(content, encoding="utf-8")
        if keep_mode and target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        if durable:
            with open(temporary, "rb+") as stream:
                os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_folder(target.parent)


def write_atomically(path: Path, text: str) -> None:
    """A file a person asked for, written whole or not at all: checked first; a failure is a UsageError."""
    check_target(path)
    try:
        atomic_write(path, text)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from err


def sha256(path: Path | str, advance: Callable[[int], object] = lambda n: None) -> str:
    """SHA-256 hex of one file, read in CHUNK pieces; `advance(bytes)` after each (a progress bar). Reads and
    `update` release the GIL (hashlib does for data over 2 KiB), so threads hash files side by side.

    Plain `read` into a new bytes object each time: measured on 2,500 files of 420 kB in the page cache (median of
    5, one process), 0.81 s, against 0.87 s reading into a new 1 MiB bytearray per file and 1.21 s into one reused
    bytearray."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as stream:
        if hasattr(os, "posix_fadvise"):  # doubles the kernel's read-ahead window for a sequential read
            os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            advance(len(chunk))
    return digest.hexdigest()


class FileKey(Frozen):
    """A file's stat identity: while size, mtime, ctime and inode are unchanged, so is its content.

    DVC's state database keys a cached hash on inode, size and mtime (dvc-data `hashfile/state.py`); ctime is added
    because a rewrite whose mtime was set back (`touch -d`, `os.utime`, `rsync --times`) keeps the mtime but never
    the ctime, which no user call can set. A new file under the same name has a new inode.

    Racy entries (git's "racy git" problem, Documentation/technical/racy-git.txt): a file written within the
    timestamp granularity of the moment it was stat'ed can change again without its mtime or ctime moving; such a
    key must not be trusted later (`racy`)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileKey:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    def racy(self, stat_time_ns: int) -> bool:
        return max(self.mtime_ns, self.ctime_ns) > stat_time_ns - RACY_NS
