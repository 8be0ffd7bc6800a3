"""Installed distributions from importlib.metadata."""

from importlib import metadata

from mlfcore.entrypoint.sysinfo import packages


def test_names_are_canonical():
    assert packages.normalize("Scikit_Learn") == "scikit-learn"
    assert packages.normalize("zope.interface") == "zope-interface"


def test_every_distribution_with_its_version():
    found = packages.installed()
    assert found["mlfcore"] == metadata.version("mlfcore")
    assert found["typer"] == metadata.version("typer")
    assert list(found) == sorted(found)
    assert len(found) == len({packages.normalize(d.metadata["Name"]) for d in metadata.distributions()})
