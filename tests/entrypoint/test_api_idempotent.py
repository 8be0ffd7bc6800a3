"""apply_contract called twice with new options applies the new options once: one import hook, the second seed."""

import json
import subprocess
import sys

PROGRAM = '''
import json, sys
from mlfcore.entrypoint import apply_contract
from mlfcore.entrypoint.bootstrap import _mlf_hooks
apply_contract(seed=1, threads=2)
second = apply_contract(seed=2, threads=1)
finders = sum(type(f).__name__ == "_PostImportFinder" for f in sys.meta_path)
import numpy as np, xgboost
data = xgboost.DMatrix(np.arange(8.0).reshape(4, 2), label=[0, 1, 0, 1])
booster = xgboost.train({}, data, 1)  # params from the wrapper: the contract's seed and nthread
config = json.loads(booster.save_config())["learner"]["generic_param"]
numpy_hooks = sum(1 for name, _ in _mlf_hooks.APPLIED if name == "numpy.random.seed")
apply_contract(seed=3, threads=1)  # xgboost is loaded now: applied at once, still one wrapper
third = xgboost.train({}, data, 1)
again = json.loads(third.save_config())["learner"]["generic_param"]
print(json.dumps({"finders": finders, "seed": config["seed"], "nthread": config["nthread"],
                  "reported": second.seed, "third_seed": again["seed"],
                  "numpy_hooks": numpy_hooks}))
'''


def test_apply_contract_twice_applies_the_new_options_once():
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["finders"] == 1
    assert (found["seed"], found["nthread"], found["reported"]) == ("2", "1", 2)
    assert found["third_seed"] == "3"
    assert found["numpy_hooks"] == 1  # numpy configured once, by the hook of the second call only
