"""Contract breakers in their other spellings."""

from __future__ import annotations

import pytest

from .conftest import rule_ids


@pytest.mark.parametrize("source", [
    "import torch\ncudnn = torch.backends.cudnn\ncudnn.benchmark = True",
    "from torch.backends import cudnn\ncudnn.benchmark = True",
    "import torch.backends.cudnn as cudnn\ncudnn.benchmark = True",
    "import torch\nwith torch.backends.cudnn.flags(enabled=True, benchmark=True, deterministic=True):\n    pass",
])
def test_cudnn_benchmark(lint, source):
    assert "contract-cudnn-benchmark" in rule_ids(lint(source + "\n"))


def test_cudnn_flags_resets_deterministic_unless_given(lint):
    assert "contract-cudnn-deterministic" in rule_ids(lint(
        "import torch\nwith torch.backends.cudnn.flags(enabled=True):\n    pass\n"))
    assert "contract-cudnn-deterministic" not in rule_ids(lint(
        "import torch\nwith torch.backends.cudnn.flags(enabled=True, deterministic=True):\n    pass\n"))


@pytest.mark.parametrize("source", [
    'import os\nos.environ["PYTHONHASHSEED"] = str(seed)',
    'from os import environ\nenviron["PYTHONHASHSEED"] = "1"',
    'import os\nos.environ.setdefault("PYTHONHASHSEED", "0")',
    'import os\nos.putenv("PYTHONHASHSEED", "0")',
    'import os\nos.environ.update({"PYTHONHASHSEED": "0", "A": "1"})',
    'import os\nos.environ.update(PYTHONHASHSEED="0")',
])
def test_pythonhashseed_set_from_python(lint, source):
    assert "contract-pythonhashseed" in rule_ids(lint(source + "\n"))


@pytest.mark.parametrize("source", [
    'import os\nseed = os.environ["PYTHONHASHSEED"]',
    'import os\nos.environ.get("PYTHONHASHSEED")',
    'env = {}\nenv["PYTHONHASHSEED"] = "0"',
    'import os\nos.environ.update({"OMP_NUM_THREADS": "2"})',
    'import os\nos.putenv(name, "1")',
    'import os\nos.environ[name] = value',
])
def test_reading_pythonhashseed_or_another_dict_is_fine(lint, source):
    assert "contract-pythonhashseed" not in rule_ids(lint(source + "\n"))


def test_dataloader_workers(lint):
    prelude = "import torch\n"
    found = lambda call: rule_ids(lint(prelude + call + "\n"))  # noqa: E731
    assert "contract-dataloader-workers" in found("torch.utils.data.DataLoader(ds, 8, True, None, None, 4)")
    assert "contract-dataloader-workers" in found("torch.utils.data.DataLoader(ds, num_workers=n)")
    assert "contract-dataloader-workers" not in found("torch.utils.data.DataLoader(ds, num_workers=0)")
    assert "contract-dataloader-workers" not in found("torch.utils.data.DataLoader(ds, batch_size=8)")
    assert "contract-dataloader-workers" not in found(
        "torch.utils.data.DataLoader(ds, num_workers=4, generator=torch.Generator().manual_seed(0))")


def test_dataloader_kwargs_spread_may_hold_the_generator(lint):
    # mlfcore's own helper passes the seeded generator this way (frameworks/torch/examples/pytorch_digits.py)
    source = ("import torch\nfrom mlfcore.entrypoint import dataloader_kwargs\n"
              "torch.utils.data.DataLoader(ds, num_workers=2, **dataloader_kwargs())\n")
    assert "contract-dataloader-workers" not in rule_ids(lint(source))


def test_the_contract_table_loads_through_the_one_table_loader():
    from mlfcore.entrypoint.lint import tables
    from mlfcore.entrypoint.lint.rules import contract

    generic = tables.load_file(tables.DATA / "contract.toml", contract.FRAMEWORK)
    assert generic is tables.load_file(tables.DATA / "contract.toml", contract.FRAMEWORK)  # cached: one parse
    assert contract.load()[:len(generic)] == generic  # the generic breakers first, then each framework's
    assert tables.load("torch", "2.13") is tables.load_file(tables.folder("torch") / "torch-2.13.toml", "torch")
    assert {rule.framework for rule in contract.load()} == {"contract"}
