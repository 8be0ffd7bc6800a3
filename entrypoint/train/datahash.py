"""Hashes of the project's declared input data (`[tool.mlf] data = [...]`): SHA-256 per file and one tree hash.

Files are read in 1 MiB chunks (streamed: a 50 GB data set needs no memory), one thread per core, each file by one
thread (SHA-256 of one file cannot be split, so one core's SHA-256 speed is the floor for a single large file);
unchanged files come from the stat-keyed cache (datacache.py). A rich progress bar shows the bytes when the inputs
are large. The tree hash covers each file's path relative to the project and its digest, in
sorted order, so renaming a file changes it and the order files were found in does not. A file under a named data
root (dataroots.py) is named `ROOT:path below the root`, never by the host's absolute path.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..files import sha256 as file_sha256  # the one file hash (files.py); bound here so tests can replace it
from . import datacache, dataroots

# Recorded with every tree hash (mlf/data.json): SHA-256 per file, and the tree hash over "name\0digest\n" lines
# in sorted order. A change to either is a new version, so an old record is never compared with the new algorithm.
ALGORITHM = "sha256-tree-1"

# Below this the bar would only flicker: measured, hashlib's SHA-256 ran at 1.2 GB/s on this project's machine
# (256 MiB in a quarter of a second).
PROGRESS_FROM_BYTES = 256 << 20


@dataclass(frozen=True)
class DataHashes:
    files: dict[str, str]  # relative posix path (`ROOT:path` under a data root) → sha256 hex
    tree: str
    total_bytes: int
    roots: dict[str, str] = field(default_factory=dict)  # data root → its folder on the host that hashed it

    def to_dict(self) -> dict:
        found = {"algorithm": ALGORITHM, "tree_sha256": self.tree, "total_bytes": self.total_bytes,
                 "files": self.files}
        if self.roots:  # where the roots were: not part of the tree hash, which names files by root
            found["roots"] = self.roots
        return found


def _walk(folder: Path, prefix: str) -> Iterator[str]:
    """Names (prefix/relative/path) of everything below `folder`; symlinked folders are not entered, as in
    Path.rglob. os.walk rather than rglob + relative_to: 10,000 cached files took 4.5 s of pathlib and extra
    stat calls under cProfile, which the cached re-hash must not pay."""
    start = len(str(folder)) + 1
    for directory, _, names in os.walk(folder):
        relative = directory[start:]
        base = f"{prefix}{relative}/" if relative else prefix
        for name in names:
            yield base + name


DECLARED = "[tool.mlf] data"  # where data paths come from, unless a command line gives them (`mlf hash PATHS`)
GIVEN = "the path given"


def _expand(root: Path, declared: str, where: str = "the project", origin: str = DECLARED) -> list[str]:
    """The names (relative to root, posix) that one declaration covers; files are filtered by the caller. `origin`
    names where the path came from, so that a path typed on a command line does not blame the configuration."""
    fix = ("fix the pattern, or put the data in place before training" if origin == DECLARED
           else "check the path: it is relative to the project folder (-C/--project)")
    if Path(declared).is_absolute() or ".." in Path(declared).parts:
        raise UsageError(f"data path {declared!r} is not inside {where} {root}",
                         hint="name data by its path relative to the project folder (-C/--project); data outside "
                              'it through a data root: [tool.mlf.data_roots] shared = "/data/shared", then '
                              '"shared:relative/path" (docs/train.md)')
    if any(c in declared for c in "*?["):
        found = [p.relative_to(root).as_posix() for p in root.glob(declared) if p.is_file()]
        if not found:
            raise UsageError(f"{origin}: {declared!r} matches no file in {root}", hint=fix)
        return found
    path = root / declared
    name = path.relative_to(root).as_posix()
    if path.is_file():
        return [name]
    if path.is_dir():
        return list(_walk(path, "" if name == "." else f"{name}/"))
    raise UsageError(f"{origin}: {declared!r} does not exist in {root}",
                     hint="put the data in place, or remove the entry" if origin == DECLARED else fix)


def _listing(root: Path, declared: tuple[str, ...] | list[str], roots: Mapping[str, Path] | None = None,
             origin: str = DECLARED) -> dict[str, tuple[str, os.stat_result]]:
    """Every regular file the declarations name, once each, sorted by name, with its path and its stat (one call
    per file). A `NAME:PATH` declaration reads PATH under the data root NAME, its files named `NAME:...`."""
    found: dict[str, tuple[str, os.stat_result]] = {}
    for entry in declared:
        name_of_root, relative = dataroots.split(entry, roots or {}, origin)
        base = dataroots.folder(name_of_root, roots) if name_of_root else root
        prefix = f"{name_of_root}{dataroots.SEPARATOR}" if name_of_root else ""
        where = f"the data root {name_of_root!r}" if name_of_root else "the project"
        for name in _expand(base, relative, where, origin):
            # mlf's own cache beside a default store (the project folder) is never data: `data = ["."]` would
            # otherwise hash a file that each run rewrites.
            if prefix + name in found or os.path.basename(name).startswith(datacache.CACHE_FILE):
                continue
            path = os.path.join(str(base), name)
            try:
                info = os.stat(path)
            except OSError:  # a dangling symlink: no file, as Path.is_file() says
                continue
            if stat.S_ISREG(info.st_mode):
                found[prefix + name] = (path, info)
    return dict(sorted(found.items()))


def files(root: Path, declared: tuple[str, ...] | list[str], roots: Mapping[str, Path] | None = None) -> list[Path]:
    """Every file the declarations name, once each, sorted. Missing ones → UsageError (checked before training)."""
    return [Path(path) for path, _ in _listing(root, declared, roots).values()]


def tree_hash(per_file: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(per_file):
        digest.update(f"{name}\0{per_file[name]}\n".encode())
    return digest.hexdigest()


def cache_folder(store) -> Path:
    """Where the cache of a tracking store (train/tracking.py Store) lives: `mlf train` and `mlf hash` both ask
    here, so they share one cache."""
    return datacache.default_folder(store.local_path)


def workers() -> int:
    """One per core this process may run on: SHA-256 is bound by one core per file."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _hash_one(path: str, advance: Callable[[int], object] | None = None) -> tuple:
    """A file's digest and its stat key (size, mtime, ctime, inode) right after the read, a plain tuple (it pickles
    faster than datacache.Key when a pool worker returns it)."""
    digest = file_sha256(path, advance or _ignore)
    try:
        return digest, _stat_key(os.stat(path))
    except OSError:
        return digest, None


def _ignore(_count: int) -> None:
    pass


def _stat_key(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _keep(path: str, listed: os.stat_result, result: tuple, cache: datacache.Cache | None, listed_at: int) -> str:
    """The digest; cached when the file's stat key after the read is the one the listing saw before it (a file
    that changed in between is hashed right this time only if it did not: never cache it). `listed_at`, taken
    before the listing, is the stat time the racy-file rule compares with: earlier than the real one, so stricter."""
    digest, after = result
    before = _stat_key(listed)
    if cache is not None and after == before:
        cache.put(path, datacache.Key(*before), digest, listed_at)
    return digest


def _open_cache(folder: Path | None) -> datacache.Cache | None:
    if folder is None:
        return None
    try:
        return datacache.Cache(folder, ALGORITHM)
    except OSError as err:  # a read-only store folder: hash everything, which is only slower
        from .. import console

        console.warn(f"data-hash cache unavailable in {folder}: {err.strerror or err}; hashing every file")
        return None


def hash_data(root: Path, declared: tuple[str, ...] | list[str], *, cache_folder: Path | None = None,
              jobs: int | None = None, roots: Mapping[str, Path] | None = None,
              origin: str = DECLARED) -> DataHashes:
    """Hash every declared file: from the cache when its stat key is unchanged, else in `jobs` threads (default:
    one per core), the largest files first so one big file does not start last. `roots` are the data roots'
    folders on this host (dataroots.resolve)."""
    listed_at = time.time_ns()
    found = _listing(root, declared, roots, origin)
    listing = {name: info for name, (_, info) in found.items()}
    cache = _open_cache(cache_folder)
    # The cache's keys: real absolute paths (a root's files under the root's real folder).
    bases = {None: os.path.realpath(root), **{name: os.path.realpath(path) for name, path in (roots or {}).items()}}
    paths = {name: _real(name, bases) for name in listing}
    per_file: dict[str, str] = {}
    todo: list[tuple[int, str]] = []
    for name, info in listing.items():
        cached = cache.get(paths[name], datacache.Key.of(info)) if cache is not None else None
        if cached is not None:
            per_file[name] = cached
        else:
            todo.append((info.st_size, name))
    if cache is not None:
        for base in set(bases.values()):
            cache.forget_missing(base, set(paths.values()))
    todo.sort(key=lambda item: -item[0])
    per_file.update(_hash_all(paths, todo, cache, jobs or workers(), listing, listed_at))
    if cache is not None:
        try:
            cache.save()
        except OSError as err:
            from .. import console

            console.warn(f"could not write the data-hash cache in {cache.folder}: {err.strerror or err}")
    used = {name: str(path) for name, path in sorted((roots or {}).items())
            if any(key.startswith(f"{name}{dataroots.SEPARATOR}") for key in listing)}
    return DataHashes(dict(sorted(per_file.items())), tree_hash(per_file),
                      sum(info.st_size for info in listing.values()), used)


# Below this much data the pool's start (fork, or forkserver when threads run) costs more than a core saves.
POOL_FROM_BYTES = 64 << 20


def _real(name: str, bases: Mapping[str | None, str]) -> str:
    """The real path of file `name` (`NAME:rel` under its root's real folder, else under the project's)."""
    root_name, separator, relative = name.partition(dataroots.SEPARATOR)
    if separator and root_name in bases:
        return f"{bases[root_name]}/{relative}"
    return f"{bases[None]}/{name}"


def _hash_all(paths: Mapping[str, str], todo: list[tuple[int, str]], cache, jobs: int,
              listing: dict[str, os.stat_result], listed_at: int) -> dict[str, str]:
    """Hash `todo` ((size, name), largest first): in this process, or in `jobs` worker processes.

    Processes, not threads: measured on 5,000 files of 420 kB in the page cache on 2 idle cores, two processes
    hash 1.92x as fast as one, two threads of one process only 1.25x. Every read allocates its buffer with the GIL
    held, and a multithreaded process pays for each unmapped buffer with a TLB shootdown on the other core."""
    names = [name for _, name in todo]
    paths = [paths[name] for name in names]  # the cache's keys, spelled as hash_data looks them up
    total = sum(size for size, _ in todo)
    if jobs <= 1 or len(paths) <= 1 or total < POOL_FROM_BYTES:
        with _progress(total) as advance:
            return {name: _keep(path, listing[name], _hash_one(path, advance), cache, listed_at)
                    for name, path in zip(names, paths)}
    from concurrent.futures import ProcessPoolExecutor

    from .. import processes

    chunk = max(1, min(64, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=processes.context()) as pool:
        # The first task starts the workers (all of them, with fork): before the progress bar's refresh thread,
        # which a forked worker must not inherit in the middle of holding a lock.
        pool.submit(os.getpid).result()
        with _progress(total) as advance:
            results = pool.map(_hash_one, paths, chunksize=chunk)
            return _collect(results, todo, paths, cache, advance, listing, listed_at)


def _collect(results, todo, paths, cache, advance, listing, listed_at) -> dict[str, str]:
    digests = {}
    for (size, name), path, result in zip(todo, paths, results):
        digests[name] = _keep(path, listing[name], result, cache, listed_at)
        advance(size)
    return digests


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], object]]:
    """A rich progress bar on stderr when there is enough to hash for it to mean anything."""
    if total < PROGRESS_FROM_BYTES:
        yield lambda n: None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from .. import console

    columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console.err(), transient=True) as progress:
        task = progress.add_task("hashing data", total=total)
        yield lambda n: progress.advance(task, n)
