"""Installed distributions, read from the metadata files' header blocks: the same answer as importlib.metadata."""

import sys
from importlib import metadata

from mlfcore.entrypoint.sysinfo import packages


def test_names_are_canonical():
    assert packages.normalize("Scikit_Learn") == "scikit-learn"
    assert packages.normalize("zope.interface") == "zope-interface"


def expected() -> dict[str, str]:
    found: dict[str, str] = {}
    for distribution in metadata.distributions():
        try:
            name, version = distribution.metadata["Name"], distribution.metadata["Version"]
        except Exception:  # noqa: BLE001 -- a folder without METADATA: newer importlib_metadata (which another
            continue  # package may put in front of the standard library's finder) raises MetadataNotFound
        if name and version:
            found.setdefault(packages.normalize(name), version)
    return dict(sorted(found.items()))


def test_the_same_distributions_and_versions_as_importlib_metadata():
    found = packages.installed()
    assert found == expected() and len(found) > 20
    assert found["mlfcore"] == metadata.version("mlfcore") and list(found) == sorted(found)


def test_duplicates_egg_info_files_and_damaged_folders(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, version in ((first, "2.0"), (second, "1.0")):
        (folder / f"Demo_Pkg-{version}.dist-info").mkdir(parents=True)
        (folder / f"Demo_Pkg-{version}.dist-info" / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: {version}\nSummary: x\n\nName: not a header\n")
    (second / "old.egg-info").write_text("Metadata-Version: 1.0\nName: Old\nVersion: 0.3\n")
    (second / "broken.dist-info").mkdir()  # no METADATA: skipped, as importlib.metadata gives it no name
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    assert packages.installed() == {"demo-pkg": "2.0", "old": "0.3"} == expected()
