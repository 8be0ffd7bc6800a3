"""Declared input data: SHA-256 per file and one tree hash; a missing input is bad input."""

import hashlib

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint import files
from mlfcore.entrypoint.train import datahash


@pytest.fixture
def data(tmp_path):
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "a.csv").write_bytes(b"1,2\n")
    (tmp_path / "data" / "sub" / "b.bin").write_bytes(bytes(range(256)) * 5000)
    (tmp_path / "labels.txt").write_text("x\n")
    return tmp_path


def test_each_file_is_hashed_with_sha256(data):
    hashes = datahash.hash_data(data, ["data", "labels.txt"])
    assert hashes.files == {name: hashlib.sha256((data / name).read_bytes()).hexdigest()
                            for name in ("data/a.csv", "data/sub/b.bin", "labels.txt")}
    assert hashes.total_bytes == 4 + 256 * 5000 + 2


def test_the_tree_hash_ignores_declaration_order_and_sees_renames(data):
    first = datahash.hash_data(data, ["labels.txt", "data"]).tree
    assert first == datahash.hash_data(data, ["data", "labels.txt", "data/a.csv"]).tree
    (data / "data" / "a.csv").rename(data / "data" / "c.csv")
    assert datahash.hash_data(data, ["data", "labels.txt"]).tree != first


def test_one_changed_byte_changes_the_tree_hash(data):
    before = datahash.hash_data(data, ["data"]).tree
    (data / "data" / "a.csv").write_bytes(b"1,3\n")
    assert datahash.hash_data(data, ["data"]).tree != before


def test_globs(data):
    assert list(datahash.hash_data(data, ["data/*.csv"]).files) == ["data/a.csv"]


@pytest.mark.parametrize("declared", ["missing.csv", "data/*.parquet"])
def test_missing_inputs_are_usage_errors(data, declared):
    with pytest.raises(UsageError) as caught:
        datahash.hash_data(data, [declared])
    assert caught.value.exit_code == 2


def test_large_inputs_show_progress_and_hash_the_same(data, monkeypatch):
    small = datahash.hash_data(data, ["data"])
    monkeypatch.setattr(datahash, "PROGRESS_FROM_BYTES", 1)
    assert datahash.hash_data(data, ["data"]) == small


def test_file_sha256_streams_a_file_in_chunks(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * 9000)  # more than one CHUNK
    seen = []
    assert datahash.file_sha256(path, seen.append) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sum(seen) == path.stat().st_size and len(seen) == 3
    assert datahash.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_worker_processes_hash_the_same_and_fill_the_cache(tmp_path, monkeypatch):
    """Above POOL_FROM_BYTES the files go to worker processes: same digests, and the parent still caches them."""
    import os
    import time

    from mlfcore.entrypoint.train import datacache

    (tmp_path / "data").mkdir()
    for number in range(40):
        (tmp_path / "data" / f"{number:02d}.bin").write_bytes(os.urandom(1000 + number))
    monkeypatch.setattr(files, "RACY_NS", 20_000_000)
    time.sleep(0.05)
    monkeypatch.setattr(datahash, "POOL_FROM_BYTES", 1)
    started = []
    real = datahash._collect
    monkeypatch.setattr(datahash, "_collect", lambda *args: (started.append(True), real(*args))[1])
    pooled = datahash.hash_data(tmp_path, ["data"], cache_folder=tmp_path / "store", jobs=2)
    assert started == [True]  # the pool path ran
    truth = {f"data/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "data").iterdir()}
    assert pooled.files == truth
    assert pooled == datahash.hash_data(tmp_path, ["data"], jobs=1)
    stored = datacache._read(tmp_path / "store" / datacache.CACHE_FILE, datahash.ALGORITHM)
    assert len(stored) == 40 and {entry[4] for entry in stored.values()} == set(truth.values())
