"""One positive and one negative snippet per linted rule. The generic rules' are here; each framework's are in
tests/entrypoint/frameworks/<name>/lint_cases.py, gathered through the registry. test_rules.py runs them all and
fails when a rule with matches has no case, so a new rule cannot land untested."""

from __future__ import annotations

import importlib

from mlfcore.entrypoint import frameworks

OS = "import os\n"

# rule id → (prelude, positive statement, negative statement)
GENERIC: dict[str, tuple[str, str, str]] = {
    "contract-pythonhashseed": (OS, 'os.environ["PYTHONHASHSEED"] = "0"', 'os.environ["CUDA_VISIBLE_DEVICES"] = "0"'),
    "contract-unseeded-rng": ("import numpy as np\n", "np.random.default_rng()", "np.random.default_rng(7)"),
}

CASES: dict[str, tuple[str, str, str]] = dict(GENERIC)
for _name in frameworks.NAMES:
    _cases = importlib.import_module(f"tests.entrypoint.frameworks.{_name}.lint_cases").CASES
    assert not set(_cases) & set(CASES), f"{_name}: a rule id with two cases"
    CASES.update(_cases)
