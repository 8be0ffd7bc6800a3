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
    # third-party libraries (lint/data/libraries.toml)
    "lib-batchgenerators-unseeded": ("from batchgenerators.dataloading.multi_threaded_augmenter import "
                                     "MultiThreadedAugmenter\n", "MultiThreadedAugmenter(dl, tr, 4, 2, None)",
                                     "MultiThreadedAugmenter(dl, tr, 4, seeds=[1, 2, 3, 4])"),
    "lib-batchgenerators-nondet": ("from batchgenerators.dataloading.nondet_multi_threaded_augmenter import "
                                   "NonDetMultiThreadedAugmenter\n", "NonDetMultiThreadedAugmenter(dl, tr, 8)",
                                   "NonDetMultiThreadedAugmenter(dl, tr, num_processes=1)"),
    "lib-albumentations-unseeded": ("import albumentations as A\n", "A.Compose([A.HorizontalFlip(p=0.5)])",
                                    "A.Compose([A.HorizontalFlip(p=0.5)], seed=137)"),
    "lib-datasets-shuffle-unseeded": ("from datasets import load_dataset\n", "ds.shuffle(buffer_size=100)",
                                      "ds.shuffle(seed=42, buffer_size=100)"),
}

CASES: dict[str, tuple[str, str, str]] = dict(GENERIC)
for _name in frameworks.NAMES:
    _cases = importlib.import_module(f"tests.entrypoint.frameworks.{_name}.lint_cases").CASES
    assert not set(_cases) & set(CASES), f"{_name}: a rule id with two cases"
    CASES.update(_cases)
