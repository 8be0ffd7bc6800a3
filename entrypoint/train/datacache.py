"""The data-hash cache: a file's SHA-256 is re-used while its path and stat identity (files.FileKey: size, mtime,
ctime, inode) are unchanged.

Racy entries (files.FileKey.racy): an entry whose mtime or ctime is less than files.RACY_NS before the moment it
was stat'ed is not stored; the next run hashes that file again and caches it then.

The cache is one JSON file beside the MLflow store (in the user cache folder when the store is remote), read and
written under an exclusive `flock` on a lock file next to it, and replaced atomically. A cache written by another
hash algorithm version is ignored whole.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..files import FileKey as Key
from ..files import atomic_write

CACHE_FILE = ".mlf-datahash-cache.json"


def default_folder(store_path: Path | None) -> Path:
    """Beside a local MLflow store (its folder for sqlite, the folder above a file store); else the user cache."""
    if store_path is not None:
        return store_path.parent
    from ..cachedir import user_cache

    return user_cache()


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{CACHE_FILE}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(path: Path, algorithm: str) -> dict[str, list]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or damaged: a cache, so start again rather than fail a run
        return {}
    if not isinstance(payload, dict) or payload.get("algorithm") != algorithm:
        return {}
    entries = payload.get("entries")
    return entries if isinstance(entries, dict) else {}


class Cache:
    """Look-ups against what was loaded; `save` merges this run's new entries into the file under the lock."""

    def __init__(self, folder: Path, algorithm: str) -> None:
        self.folder, self.algorithm = folder, algorithm
        self._new: dict[str, list] = {}
        self._gone: set[str] = set()
        with _locked(folder):
            self._entries = _read(folder / CACHE_FILE, algorithm)

    def get(self, path: str, key: Key) -> str | None:
        entry = self._entries.get(path)
        if entry and len(entry) == 5 and Key(*entry[:4]) == key:
            return entry[4]
        return None

    def put(self, path: str, key: Key, digest: str, stat_time_ns: int) -> None:
        if not key.racy(stat_time_ns):
            self._new[path] = [key.size, key.mtime_ns, key.ctime_ns, key.inode, digest]

    def forget_missing(self, folder: str, present: set[str]) -> None:
        """Drop the entries under `folder` (an absolute path) of files that are not in `present` and no longer
        exist: a data set whose files are deleted or renamed does not leave their entries behind for ever."""
        prefix = folder.rstrip("/") + "/"
        self._gone |= {path for path in self._entries if path.startswith(prefix) and path not in present
                       and not os.path.lexists(path)}

    def save(self) -> None:
        if not self._new and not self._gone:
            return
        target = self.folder / CACHE_FILE
        with _locked(self.folder):
            entries = {**_read(target, self.algorithm), **self._new}
            for path in self._gone:
                entries.pop(path, None)
            _write(target, {"algorithm": self.algorithm, "entries": entries})
        self._new, self._gone = {}, set()


def _write(target: Path, payload: Mapping) -> None:
    atomic_write(target, json.dumps(payload, separators=(",", ":")))
