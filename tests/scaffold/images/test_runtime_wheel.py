"""The wheels: the full one ships THE table as package data; the runtime one (for the images) has no scaffold."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlfcore.scaffold.images import runtime_wheel

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """The full wheel of the checkout, and the runtime wheel the base image installs."""
    folder = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(folder / "full"), str(ROOT)], check=True, capture_output=True)
    return next((folder / "full").glob("mlfcore-*.whl")), runtime_wheel.build(folder / "runtime")


def test_the_full_wheel_ships_the_images_table(wheels):
    with zipfile.ZipFile(wheels[0]) as wheel:
        shipped = wheel.read("mlfcore/scaffold/images/images.toml")
        assert "mlf-scaffold = mlfcore.scaffold.cli:main" in wheel.read(
            next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))).decode()
    assert shipped == (ROOT / "images" / "images.toml").read_bytes()


def test_the_runtime_wheel_has_no_scaffold_and_a_valid_record(wheels):
    with zipfile.ZipFile(wheels[1]) as wheel:
        names = wheel.namelist()
        record = wheel.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
        entry_points = wheel.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        recorded = {line.split(",")[0]: line.split(",")[1] for line in record.splitlines()}
        for name in names:
            if not name.endswith("RECORD"):
                assert recorded[name] == runtime_wheel._record_hash(wheel.read(name)), name
    assert not [name for name in names if name.startswith("mlfcore/scaffold/")]
    assert "mlfcore/entrypoint/cli/fastpath.py" in names
    assert "mlf = mlfcore.entrypoint.cli.fastpath:run" in entry_points and "mlf-scaffold" not in entry_points
    assert set(recorded) == set(names)


def test_the_runtime_wheel_is_the_same_bytes_each_time(wheels, tmp_path):
    assert runtime_wheel.build(tmp_path).read_bytes() == wheels[1].read_bytes()
