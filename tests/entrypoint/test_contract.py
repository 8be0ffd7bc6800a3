"""The contract table: values per settings and arch, conflicts, the image's baked values, the record."""

import pytest

from mlfcore.entrypoint import contract
from mlfcore.entrypoint.contract import Settings


def test_environment_follows_seed_and_threads():
    env = contract.environment(Settings(seed=7, threads=3), arch="x86_64")
    assert env["PYTHONHASHSEED"] == "7"
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                 "TF_NUM_INTEROP_THREADS"):
        assert env[name] == "3", name
    assert env["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"


def test_dispatch_is_pinned_per_arch_only_when_portable():
    x86 = contract.environment(Settings(), arch="x86_64")
    assert (x86["ATEN_CPU_CAPABILITY"], x86["MKL_CBWR"], x86["ONEDNN_MAX_CPU_ISA"]) == ("avx2", "AVX2", "AVX2")
    assert x86["TF_ENABLE_ONEDNN_OPTS"] == "0" and x86["NPY_DISABLE_CPU_FEATURES"] == "X86_V4 AVX512_ICL AVX512_SPR"
    arm = contract.environment(Settings(), arch="aarch64")
    assert arm["ATEN_CPU_CAPABILITY"] == "default" and "MKL_CBWR" not in arm
    loose = contract.environment(Settings(portable=False), arch="x86_64")
    assert not {"ATEN_CPU_CAPABILITY", "MKL_CBWR", "ONEDNN_MAX_CPU_ISA", "TF_ENABLE_ONEDNN_OPTS",
                "NPY_DISABLE_CPU_FEATURES"} & set(loose)


@pytest.mark.parametrize("name, value", [("CUBLAS_WORKSPACE_CONFIG", ":0:0"), ("PYTHONHASHSEED", "random"),
                                         ("OMP_NUM_THREADS", "4"), ("ATEN_CPU_CAPABILITY", "avx512")])
def test_a_contradicting_variable_is_a_conflict_naming_it(name, value):
    [conflict] = contract.conflicts(Settings(), {name: value}, arch="x86_64")
    assert conflict.name == name and conflict.current == value
    assert name in conflict.describe() and conflict.required in conflict.describe()


def test_agreeing_and_equivalent_values_are_not_conflicts():
    environ = {"OMP_NUM_THREADS": "2", "CUBLAS_WORKSPACE_CONFIG": ":16:8", "PYTHONHASHSEED": "0"}
    assert contract.conflicts(Settings(), environ, arch="x86_64") == []


def test_values_baked_by_the_image_are_not_the_users_conflicts():
    environ = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "2", "MLF_IMAGE_CONTRACT": "PYTHONHASHSEED=0;OMP_NUM_THREADS=2"}
    assert contract.conflicts(Settings(seed=7, threads=4), environ) == []
    environ["OMP_NUM_THREADS"] = "8"  # the user overrode the baked value: that is theirs
    assert [c.name for c in contract.conflicts(Settings(seed=7, threads=4), environ)] == ["OMP_NUM_THREADS"]


def test_no_portable_drops_the_dispatch_pins_an_image_baked():
    baked = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "OMP_NUM_THREADS": "2",
             "MLF_IMAGE_CONTRACT": "ATEN_CPU_CAPABILITY=avx2;MKL_CBWR=AVX2;OMP_NUM_THREADS=2"}
    child = contract.child_environment(Settings(portable=False), baked, arch="x86_64")
    assert "ATEN_CPU_CAPABILITY" not in child and "MKL_CBWR" not in child and child["OMP_NUM_THREADS"] == "2"
    users = dict(baked, MKL_CBWR="COMPATIBLE")  # the user's own value is theirs to keep
    assert contract.child_environment(Settings(portable=False), users, arch="x86_64")["MKL_CBWR"] == "COMPATIBLE"


def test_child_environment_overrides_unless_the_deviation_is_allowed():
    strict = contract.child_environment(Settings(), {"OMP_NUM_THREADS": "4"})
    assert strict["OMP_NUM_THREADS"] == "2" and strict["MLF_ACTIVE"] == "1"
    loose = contract.child_environment(Settings(allow_nondeterministic=True), {"OMP_NUM_THREADS": "4"})
    assert loose["OMP_NUM_THREADS"] == "4" and loose["MLF_NONDETERMINISTIC"] == "1"


def test_the_record_says_when_a_run_deviates():
    clean = contract.record(Settings(), {})
    assert clean["nondeterministic"] is False and clean["deviations"] == []
    loose = contract.record(Settings(allow_nondeterministic=True), {"OMP_NUM_THREADS": "4"})
    assert loose["nondeterministic"] is True
    assert loose["deviations"] == [{"name": "OMP_NUM_THREADS", "value": "4", "required": "2"}]


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 2**32}, {"threads": 0}, {"seed": True},
                                    {"allow": ("NO_SUCH_ENTRY",)}])
def test_bad_settings_raise_value_error_naming_the_value(kwargs):
    with pytest.raises(ValueError):
        Settings(**kwargs)


def test_describe_lists_every_entry_with_a_status():
    rows = contract.describe(Settings(), {"OMP_NUM_THREADS": "4"}, arch="x86_64")
    assert [r["name"] for r in rows] == list(contract.NAMES)
    by_name = {r["name"]: r for r in rows}
    assert by_name["OMP_NUM_THREADS"]["status"] == "conflict"
    assert by_name["PYTHONHASHSEED"]["status"] == "set by mlf run"
    assert by_name["torch.use_deterministic_algorithms"]["status"] == "applied in-process"
