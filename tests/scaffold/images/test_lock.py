"""Per-architecture locks (mlfcore.scaffold.images.lock): the same versions everywhere, pip told the platform."""

from __future__ import annotations


from mlfcore.scaffold.images import lock, table


def test_another_architecture_pins_the_same_versions():
    checked = 0
    for spec in table.IMAGES.values():
        for variant in spec.variants:
            if spec.lock_file(variant, "aarch64").is_file():
                assert lock.read_lock(spec.lock_file(variant, "aarch64")) == lock.read_lock(spec.lock_file(variant))
                checked += 1
    assert checked >= 1  # the base's aarch64 lock at least


def test_lock_files_are_named_per_architecture():
    base = table.image("base")
    assert base.lock_file("cpu").name == "requirements-cpu.lock"
    assert base.lock_file("cpu", "aarch64").name == "requirements-cpu-aarch64.lock"


def test_pip_gets_the_platform_only_for_a_foreign_architecture(tmp_path):
    assert lock.platform_options("x86_64", tmp_path) == []
    options = lock.platform_options("aarch64", tmp_path)
    assert "--platform=manylinux2014_aarch64" in options and "--platform=manylinux_2_36_aarch64" in options
    assert "--platform=manylinux_2_37_aarch64" not in options  # bookworm's glibc is 2.36
    assert options[-2:] == ["--target", str(tmp_path)] and "--abi=cp311" in options


def test_by_default_an_architecture_locks_only_what_is_published_for_it():
    everything = [(name, variant) for name, spec in table.IMAGES.items() for variant in spec.variants]
    assert lock._targets([], "x86_64") == everything
    foreign = lock._targets([], "aarch64")
    assert ("base", "cpu") in foreign and ("xgboost", "cpu") in foreign
    assert all("aarch64" in table.image(name).arches_of(variant) for name, variant in foreign)
    assert ("tensorflow", "cpu") not in foreign


def test_locking_an_image_not_published_for_the_architecture_is_refused_before_anything_is_written(capsys):
    locks = {path: path.stat().st_mtime_ns for path in table.ROOT.glob("images/**/requirements-*.lock")}
    assert lock.main(["--arch", "aarch64", "tensorflow"]) == 2
    error = capsys.readouterr().err
    assert "tensorflow:cpu is not published for aarch64" in error and "base:cpu" in error
    assert {path: path.stat().st_mtime_ns for path in table.ROOT.glob("images/**/requirements-*.lock")} == locks
    assert lock.main(["--arch", "aarch64", "xgboost:cuda"]) == 2
    assert "xgboost:cuda is not published for aarch64" in capsys.readouterr().err


def test_keep_resolves_under_the_lock_s_own_pins_and_the_parent_s_win():
    own = lock.read_lock(table.image("tensorflow").lock_file("cpu"))
    parent = lock.read_lock(table.image("base").lock_file("cpu"))
    kept = lock.constraints("tensorflow", "cpu", keep=True)
    assert lock.constraints("tensorflow", "cpu") == parent  # without keep: only what the parent installs
    assert {name: kept[name] for name in own} == own and {name: kept[name] for name in parent} == parent
