"""The data-hash cache: every way a file can change gives its true hash; an unchanged file is not read again."""

import hashlib
import os
import time

import pytest

from mlfcore.entrypoint import files
from mlfcore.entrypoint.train import datacache, datahash


@pytest.fixture
def project(tmp_path, monkeypatch):
    # Files written by a test are "racy" (newer than RACY_NS) and would never be cached: a short window plus a
    # pause longer than it lets the cache take them, as it would for data written a second before a run.
    monkeypatch.setattr(files, "RACY_NS", 20_000_000)
    (tmp_path / "data").mkdir()
    for name, text in {"a.txt": "alpha\n", "b.txt": "bravo\n", "c.txt": "charlie\n"}.items():
        (tmp_path / "data" / name).write_text(text)
    time.sleep(0.05)
    return tmp_path


def hashed(root, **kwargs):
    return datahash.hash_data(root, ["data"], cache_folder=root / "store", **kwargs)


def truth(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reads(monkeypatch):
    """The files that datahash actually read (opened) from now on."""
    seen = []
    original = datahash.file_sha256
    monkeypatch.setattr(datahash, "file_sha256", lambda path, advance=lambda n: None: (
        seen.append(os.path.basename(path)), original(path, advance))[1])
    return seen


def test_unchanged_files_come_from_the_cache(project, monkeypatch):
    first = hashed(project)
    seen = reads(monkeypatch)
    assert hashed(project) == first and seen == []


def test_a_rewrite_with_size_and_mtime_restored_is_caught_by_ctime(project, monkeypatch):
    hashed(project)
    path = project / "data" / "a.txt"
    stat = path.stat()
    time.sleep(0.05)  # a later ctime than the jiffy the cache saw
    path.write_text("ALPHA\n")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    seen = reads(monkeypatch)
    assert hashed(project).files["data/a.txt"] == truth(path)
    assert seen == ["a.txt"]


def test_a_file_replaced_by_another_is_caught_by_its_inode(project, monkeypatch):
    hashed(project)
    path = project / "data" / "b.txt"
    stat = path.stat()
    other = project / "b.new"
    other.write_text("BRAVO\n")
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(other, path)
    assert path.stat().st_ino != stat.st_ino
    assert hashed(project).files["data/b.txt"] == truth(path) != hashlib.sha256(b"bravo\n").hexdigest()


def test_a_touched_but_unchanged_file_is_read_again_and_hashes_the_same(project, monkeypatch):
    first = hashed(project)
    time.sleep(0.05)
    (project / "data" / "c.txt").touch()
    seen = reads(monkeypatch)
    assert hashed(project) == first
    assert seen == ["c.txt"]


def test_a_deleted_file_leaves_the_hashes(project):
    first = hashed(project)
    (project / "data" / "a.txt").unlink()
    second = hashed(project)
    assert sorted(second.files) == ["data/b.txt", "data/c.txt"] and second.tree != first.tree
    assert second.tree == datahash.hash_data(project, ["data"]).tree  # the same as with no cache at all


def test_a_file_just_written_is_not_cached(project, monkeypatch):
    monkeypatch.setattr(files, "RACY_NS", 60_000_000_000)
    hashed(project)
    seen = reads(monkeypatch)
    hashed(project)
    assert sorted(seen) == ["a.txt", "b.txt", "c.txt"]


def test_a_cache_of_another_algorithm_or_damaged_is_ignored(project, monkeypatch):
    first = hashed(project)
    cache_file = project / "store" / datacache.CACHE_FILE
    cache_file.write_text(cache_file.read_text().replace(datahash.ALGORITHM, "sha256-tree-0"))
    seen = reads(monkeypatch)
    assert hashed(project) == first and len(seen) == 3
    cache_file.write_text("{not json")
    assert hashed(project) == first


def test_threads_and_one_thread_give_the_same_hashes(project):
    (project / "data" / "big.bin").write_bytes(os.urandom(3 << 20))
    assert hashed(project, jobs=4) == datahash.hash_data(project, ["data"], jobs=1)


def test_a_path_outside_the_project_is_bad_input(project):
    from mlfcore.entrypoint.errors import UsageError

    with pytest.raises(UsageError, match="not inside the project"):
        datahash.hash_data(project, ["../elsewhere"])


def test_the_cache_file_is_never_part_of_the_data(project):
    first = datahash.hash_data(project, ["."], cache_folder=project)
    assert (project / datacache.CACHE_FILE).exists()
    second = datahash.hash_data(project, ["."], cache_folder=project)
    assert first == second and not any(datacache.CACHE_FILE in name for name in second.files)


def test_entries_of_deleted_files_are_dropped_and_other_folders_kept(project, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    (other / "data").mkdir()
    (other / "data" / "z.txt").write_text("zulu\n")
    time.sleep(0.05)
    datahash.hash_data(other, ["data"], cache_folder=project / "store")  # another project, same cache
    hashed(project)
    (project / "data" / "b.txt").unlink()
    hashed(project)
    stored = datacache._read(project / "store" / datacache.CACHE_FILE, datahash.ALGORITHM)
    names = sorted(os.path.basename(path) for path in stored)
    assert names == ["a.txt", "c.txt", "z.txt"]
