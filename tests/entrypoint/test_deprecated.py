"""Documented import paths that moved keep working: each old module re-exports the new one and warns once."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import pytest

from mlfcore.entrypoint.deprecated import MOVED


def _public(module) -> dict[str, object]:
    """The names a module defines itself (not what it imported), without the private ones."""
    return {name: value for name, value in vars(module).items() if not name.startswith("_")
            and getattr(value, "__module__", module.__name__) == module.__name__ and not isinstance(value, type(sys))}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_the_old_path_re_exports_the_new_one_and_says_where_it_went(old):
    new = importlib.import_module(MOVED[old])
    sys.modules.pop(old, None)  # imported again, as a user's first import would
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shim = importlib.import_module(old)
    assert [str(w.message) for w in caught if w.category is DeprecationWarning] == \
        [f"{old} is deprecated: import {MOVED[old]}"]
    names = _public(new)
    assert names, f"{MOVED[old]} defines nothing public"
    for name, value in names.items():
        assert getattr(shim, name, None) is value, f"{old}.{name} is not {MOVED[old]}.{name}"


def test_every_moved_path_is_a_module_of_its_own():
    for old in MOVED:
        spec = importlib.util.find_spec(old)
        assert spec is not None and spec.origin.endswith(old.rpartition(".")[2] + ".py"), old


@pytest.mark.parametrize("old", sorted(name for name in MOVED if ".examples." in name))
def test_an_old_example_path_still_runs_as_a_module(old):
    done = subprocess.run([sys.executable, "-W", "always::DeprecationWarning", "-m", old, "--help"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"`python -m {old}` is deprecated: run `python -m {MOVED[old]}`" in done.stderr
