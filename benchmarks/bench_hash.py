"""Data hashing: `sha256sum`, Python's hashlib on one core, and mlf's hashing (threads, cache), cold and warm, on
many files and on one large file of the same total size."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mlfcore.entrypoint.train import datahash

from . import timing

POOL = 64 << 20  # random bytes the files are cut from: SHA-256's speed does not depend on the content


def _write(path: Path, size: int, pool: bytes, offset: int) -> None:
    with open(path, "wb") as stream:
        written = 0
        while written < size:
            start = (offset + written) % (len(pool) - (1 << 20))
            piece = pool[start:start + min(size - written, 1 << 20)]
            stream.write(piece)
            written += len(piece)
        stream.write(offset.to_bytes(8, "little"))  # every file distinct
        stream.flush()
        os.fsync(stream.fileno())  # written back, so DONTNEED can drop it


def make_data(root: Path, total: int, files: int) -> None:
    pool = os.urandom(POOL)
    (root / "many").mkdir()
    (root / "one").mkdir()
    for number in range(files):
        _write(root / "many" / f"{number:05d}.bin", total // files, pool, number * 4099)
    _write(root / "one" / "large.bin", total, pool, 7)


def drop_cache(folder: Path) -> None:
    """Evict every file under `folder` from the page cache (posix_fadvise DONTNEED): the next read is cold."""
    for path in folder.rglob("*"):
        if path.is_file():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def _sha256sum(folder: Path) -> None:
    names = sorted(str(p) for p in folder.rglob("*") if p.is_file())
    subprocess.run(["xargs", "-0", "sha256sum"], input="\0".join(names).encode(), check=True,
                   stdout=subprocess.DEVNULL)


def _hashlib_one_core(folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)


def contenders(root: Path, name: str) -> dict:
    return {"`sha256sum` (one process)": lambda: _sha256sum(root / name),
            "hashlib, one core (1 MiB reads)": lambda: _hashlib_one_core(root / name),
            f"mlf, {datahash.workers()} worker processes (`mlf hash --no-cache`)":
                lambda: datahash.hash_data(root, [name], jobs=datahash.workers())}


def measure(root: Path, name: str, total: int, runs: int, cold_runs: int) -> list[str]:
    rows = []
    for label, function in contenders(root, name).items():
        cold = timing.call(function, cold_runs, before=lambda: drop_cache(root / name))
        function()  # into the page cache
        warm = timing.call(function, runs)
        rows.append((label, cold, warm))
    base_warm = rows[1][2]
    lines = [f"| {label} | {cold:.2f} s ({total / cold / 1e9:.2f} GB/s) | {warm:.2f} s ({total / warm / 1e9:.2f} "
             f"GB/s) | {base_warm / warm:.2f}x |" for label, cold, warm in rows]
    return lines


def cached(root: Path, runs: int) -> str:
    folder = Path(tempfile.mkdtemp(prefix="mlf-bench-cache-"))
    try:
        time.sleep(1.1)  # past the racy window of the files just written (datacache.RACY_NS)
        datahash.hash_data(root, ["many"], cache_folder=folder)  # fills the cache
        seconds = timing.call(lambda: datahash.hash_data(root, ["many"], cache_folder=folder), runs)
    finally:
        shutil.rmtree(folder)
    count = len(list((root / "many").iterdir()))
    return f"| mlf, cached re-hash of {count:,} unchanged files (`mlf hash`) | | {seconds:.3f} s | |"


def report(total_gb: float, files: int, runs: int, cold_runs: int, scratch: str | None) -> list[str]:
    total = int(total_gb * 1e9)
    root = Path(tempfile.mkdtemp(prefix="mlf-bench-data-", dir=scratch))
    try:
        started = time.perf_counter()
        make_data(root, total, files)
        header = [f"Data: {files:,} files of {total // files / 1e3:.0f} kB ({total / 1e9:.1f} GB) and one file of "
                  f"{total / 1e9:.1f} GB in {root.parent}, written in {time.perf_counter() - started:.0f} s. "
                  f"Cold: every file dropped from the page cache (posix_fadvise DONTNEED) before each run; median "
                  f"of {cold_runs} cold and {runs} warm runs. {timing.load()} before.", "",
                  "| contender | cold | warm (page cache) | warm speed vs hashlib on one core |",
                  "| --- | ---: | ---: | ---: |"]
        lines = header + [f"| **{files:,} files** | | | |"] + measure(root, "many", total, runs, cold_runs)
        lines += [cached(root, runs)]
        lines += ["| **one large file** | | | |"] + measure(root, "one", total, runs, cold_runs)
        lines += ["", f"{timing.load()} after."]
        return lines
    finally:
        shutil.rmtree(root)
