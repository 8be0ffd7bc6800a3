"""The child bootstrap: frameworks are configured on first import, and never imported by us."""

import json
import subprocess
import sys
import textwrap

from mlfcore.entrypoint import apply_contract

from ..conftest import clean_environment, mlf

PY = sys.executable


def run_child(code, *flags, env=None):
    result = mlf("run", *flags, "--", PY, "-c", textwrap.dedent(code), env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_no_framework_is_imported_for_a_program_that_does_not_use_one():
    out = run_child("import sys; print(sorted({'numpy', 'torch', 'tensorflow', 'xgboost'} & set(sys.modules)))")
    assert out.strip() == "[]"


def test_python_random_is_seeded_before_user_code():
    first = run_child("import random; print(random.random())", "--seed", "3")
    assert first == run_child("import random; print(random.random())", "--seed", "3")
    assert first != run_child("import random; print(random.random())", "--seed", "4")


def test_torch_is_configured_on_import():
    out = run_child("""
        import json, torch
        print(json.dumps([torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
                          torch.backends.cudnn.benchmark, torch.get_num_threads(), torch.rand(3).tolist()]))
    """, "--threads", "1", "--seed", "5")
    enabled, cudnn_det, benchmark, threads, draws = json.loads(out)
    assert (enabled, cudnn_det, benchmark, threads) == (True, True, False, 1)
    import torch

    assert draws == torch.rand(3, generator=torch.Generator().manual_seed(5)).tolist()


def test_torch_kernel_dispatch_is_pinned_to_avx2():
    out = run_child("import torch; print(torch.backends.cpu.get_cpu_capability())")
    assert out.strip() in {"AVX2", "DEFAULT"}  # avx2 where the CPU has it; never AVX512
    loose = run_child("import os; print(os.environ.get('ATEN_CPU_CAPABILITY'))", "--no-portable")
    assert loose.strip() == "None"


def test_numpy_is_seeded_on_import():
    code = "import numpy; print(numpy.random.rand())"
    assert run_child(code, "--seed", "8") == run_child(code, "--seed", "8") != run_child(code, "--seed", "9")


def test_tensorflow_is_configured_on_import():
    out = run_child("""
        import json, tensorflow as tf
        print(json.dumps([tf.config.threading.get_intra_op_parallelism_threads(),
                          tf.config.threading.get_inter_op_parallelism_threads(),
                          tf.random.uniform([2]).numpy().tolist()]))
    """, "--threads", "1", "--seed", "5")
    intra, inter, draws = json.loads(out.strip().splitlines()[-1])
    assert (intra, inter) == (1, 1)
    again = json.loads(run_child("import json, tensorflow as tf; print(json.dumps(tf.random.uniform([2])"
                                 ".numpy().tolist()))", "--seed", "5").strip().splitlines()[-1])
    assert draws == again


def test_tensorflow_op_determinism_is_enabled():
    out = run_child("import tensorflow as tf; from tensorflow.python.framework import config as c; "
                    "print(c.is_op_determinism_enabled())")
    assert out.strip().splitlines()[-1] == "True"


def test_xgboost_boosters_get_the_seed_and_threads_unless_given():
    out = run_child("""
        import json, numpy as np, xgboost as xgb
        d = xgb.DMatrix(np.arange(20.0).reshape(10, 2), label=np.arange(10.0) % 2)
        a = json.loads(xgb.train({}, d, 1).save_config())["learner"]["generic_param"]
        b = json.loads(xgb.train({"seed": 11, "nthread": 1}, d, 1).save_config())["learner"]["generic_param"]
        print(json.dumps([a["seed"], a["nthread"], b["seed"], b["nthread"]]))
    """, "--seed", "6", "--threads", "2")
    assert json.loads(out) == ["6", "2", "11", "1"]


def test_an_existing_sitecustomize_still_runs(tmp_path):
    (tmp_path / "sitecustomize.py").write_text("import builtins; builtins.MLF_TEST_CHAINED = True\n")
    env = clean_environment(PYTHONPATH=str(tmp_path))
    assert run_child("import builtins; print(getattr(builtins, 'MLF_TEST_CHAINED', False))", env=env).strip() == "True"


def test_apply_contract_in_process_reports_what_cannot_take_effect():
    code = textwrap.dedent("""
        import json, random
        from mlfcore.entrypoint import apply_contract
        applied = apply_contract(seed=4, threads=1)
        import torch
        print(json.dumps({"missed": sorted(applied.not_in_effect), "threads": torch.get_num_threads(),
                          "det": torch.are_deterministic_algorithms_enabled(), "r": random.random()}))
    """)
    result = subprocess.run([PY, "-c", code], env=clean_environment(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["missed"] == ["PYTHONHASHSEED"]
    assert payload["threads"] == 1 and payload["det"] is True
    import random

    assert payload["r"] == random.Random(4).random()


def test_apply_contract_refuses_a_contradicting_environment(monkeypatch):
    import pytest

    from mlfcore.entrypoint.errors import ContractConflict

    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    with pytest.raises(ContractConflict, match="OMP_NUM_THREADS"):
        apply_contract(seed=0, threads=2)


def test_apply_contract_names_variables_a_loaded_library_already_read():
    code = textwrap.dedent("""
        import json, numpy
        from mlfcore.entrypoint import apply_contract
        print(json.dumps(sorted(apply_contract(seed=1, threads=1).not_in_effect)))
    """)
    result = subprocess.run([PY, "-c", code], env=clean_environment(), capture_output=True, text=True)
    missed = json.loads(result.stdout)
    assert "OMP_NUM_THREADS" in missed and "NPY_DISABLE_CPU_FEATURES" in missed  # numpy read them at import
    assert "CUBLAS_WORKSPACE_CONFIG" not in missed  # read when cuBLAS is first used: setting it now still works


def test_the_deterministic_switch_does_not_import_inductor_until_the_program_does():
    # torch 2.13's use_deterministic_algorithms imports torch._inductor.config (and with it dynamo and sympy); the
    # bootstrap sets the same two flags without that import, the inductor one when inductor's config is imported.
    out = run_child("""
        import json, sys, torch
        before = [torch.are_deterministic_algorithms_enabled(), "torch._inductor" in sys.modules,
                  "sympy" in sys.modules]
        import torch._inductor.config as inductor_config
        print(json.dumps(before + [inductor_config.deterministic]))
    """)
    assert json.loads(out) == [True, False, False, True]
    bare = subprocess.run([PY, "-c", "import torch._inductor.config as c; print(c.deterministic)"],
                          env=clean_environment(), capture_output=True, text=True, check=True)
    assert bare.stdout.strip() == "False"  # the negative control: it is mlf that set it


def test_a_relaxed_deterministic_switch_warns_instead_of_raising(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mlf]\nallow = ["torch.use_deterministic_algorithms"]\n')
    code = ("import torch; print(torch.are_deterministic_algorithms_enabled(), "
            "torch.is_deterministic_algorithms_warn_only_enabled())")
    assert run_child(code, "-C", str(tmp_path), "--no-lint").split() == ["True", "True"]
    assert run_child(code).split() == ["True", "False"]
