"""OPENBLAS_CORETYPE: pinned to Haswell (AVX2) in portable mode on x86-64; a value the environment sets is kept,
recorded and warned about, never a conflict."""

import json
import sys

import pytest

from mlfcore.entrypoint import contract
from mlfcore.entrypoint.sysinfo import key

from .conftest import clean_environment, mlf

PORTABLE = contract.Settings()


def test_portable_mode_pins_haswell_on_x86_64_and_nothing_elsewhere_or_unportable():
    assert contract.environment(PORTABLE, "x86_64")["OPENBLAS_CORETYPE"] == "Haswell"
    assert "OPENBLAS_CORETYPE" not in contract.environment(contract.Settings(portable=False), "x86_64")
    assert "OPENBLAS_CORETYPE" not in contract.environment(PORTABLE, "aarch64")


def test_a_value_the_environment_sets_is_kept_and_recorded_not_a_conflict():
    environ = {"OPENBLAS_CORETYPE": "Prescott"}
    assert contract.conflicts(PORTABLE, environ, "x86_64") == []
    assert contract.child_environment(PORTABLE, environ, "x86_64")["OPENBLAS_CORETYPE"] == "Prescott"
    assert contract.record(PORTABLE, environ, "x86_64")["kept_from_environment"] == {"OPENBLAS_CORETYPE": "Prescott"}


def test_the_kept_value_changes_the_environment_key():
    plain = {"contract": contract.record(PORTABLE, {}, "x86_64")}
    kept = {"contract": contract.record(PORTABLE, {"OPENBLAS_CORETYPE": "Prescott"}, "x86_64")}
    assert key.environment_key(plain)["key"] != key.environment_key(kept)["key"]


@pytest.mark.skipif(contract.machine_arch() != "x86_64", reason="the pin is x86-64's")
def test_mlf_run_sets_it_and_keeps_the_callers_value_with_a_warning(tmp_path):
    show = [sys.executable, "-c", "import os; print(os.environ.get('OPENBLAS_CORETYPE'))"]
    assert mlf("run", "--no-lint", "--", *show).stdout.strip() == "Haswell"
    record = tmp_path / "record.json"
    kept = mlf("run", "--no-lint", "--record", str(record), "--", *show,
               env=clean_environment(OPENBLAS_CORETYPE="Prescott"))
    assert kept.returncode == 0 and kept.stdout.strip() == "Prescott"
    assert "OPENBLAS_CORETYPE=Prescott is kept from the environment" in kept.stderr
    assert json.loads(record.read_text())["contract"]["kept_from_environment"] == {"OPENBLAS_CORETYPE": "Prescott"}
