"""`mlf hash`: sha256sum's lines and the tree hash; bad input exits 2 and writes no cache."""

import hashlib

from mlfcore.entrypoint.train import datacache, datahash

from ..conftest import mlf


def test_text_lines_are_sha256sum_lines_then_the_tree(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "b.txt").write_text("bravo\n")
    (tmp_path / "data" / "a.txt").write_text("alpha\n")
    (tmp_path / "pyproject.toml").write_text('[tool.mlf]\ndata = ["data"]\n')
    result = mlf("hash", "-C", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    alpha, bravo = (hashlib.sha256(text).hexdigest() for text in (b"alpha\n", b"bravo\n"))
    assert lines[:2] == [f"{alpha}  data/a.txt", f"{bravo}  data/b.txt"]
    tree = datahash.hash_data(tmp_path, ["data"]).tree
    assert lines[2].startswith(f"{tree}  (tree, {datahash.ALGORITHM}, 2 files")
    assert mlf("hash", "data/a.txt", "-C", str(tmp_path)).stdout.splitlines()[0] == lines[0]


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    for args in (("/etc/hostname",), ("../x",), ("missing",), ()):
        result = mlf("hash", *args, "-C", str(tmp_path))
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error:")
    assert not (tmp_path / datacache.CACHE_FILE).exists()


def test_no_cache_leaves_no_cache_file(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"x" * 10)
    assert mlf("hash", "x.bin", "--no-cache", "-C", str(tmp_path)).returncode == 0
    assert not (tmp_path / datacache.CACHE_FILE).exists()


def test_a_missing_path_given_is_blamed_on_the_command_line_not_the_config(tmp_path):
    for given in ("missing.csv", "data/*.csv", "atlsa:images"):  # a file, a pattern, a data root's name
        result = mlf("hash", given, "-C", str(tmp_path))
        assert result.returncode == 2, result.stderr
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"error: the path given: {given!r}") and "[tool.mlf]" not in result.stderr, first
    (tmp_path / "pyproject.toml").write_text('[tool.mlf]\ndata = ["gone.csv"]\n')  # declared: the config it is
    assert "error: [tool.mlf] data: 'gone.csv' does not exist" in mlf("hash", "-C", str(tmp_path)).stderr
