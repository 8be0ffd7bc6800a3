"""The pre-run gate: what the command imports, for the host's device; the record says what was linted and why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mlfcore.entrypoint.lint import gate, scope
from mlfcore.entrypoint.lint.config import LintConfig

from ..conftest import clean_environment, mlf

PY = sys.executable


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def names(found: scope.Scope, root: Path) -> list[str]:
    return sorted(found.to_dict(root.resolve())["files"])


LAYOUT = {
    "train.py": "import torch\nfrom unet import UNet\nfrom utils.data import load\n",
    "unet/__init__.py": "from .model import UNet\n",
    "unet/model.py": "from . import parts\nclass UNet: pass\n",
    "unet/parts.py": "import torch\n",
    "unet/__main__.py": "from .model import UNet\n",
    "utils/__init__.py": "",
    "utils/data.py": "import os\ndef load(): pass\n",
    "utils/plots.py": "import matplotlib\n",
    "predict.py": "from unet import UNet\n",
}


@pytest.mark.parametrize("command, expected", [
    ([PY, "train.py", "--epochs", "2"], ["train.py", "unet/__init__.py", "unet/model.py", "unet/parts.py",
                                         "utils/__init__.py", "utils/data.py"]),
    (["python3", "-u", "-W", "ignore", "predict.py"], ["predict.py", "unet/__init__.py", "unet/model.py",
                                                       "unet/parts.py"]),
    (["python", "-m", "utils.data"], ["utils/__init__.py", "utils/data.py"]),
    (["python", "-m", "unet"], ["unet/__init__.py", "unet/__main__.py", "unet/model.py", "unet/parts.py"]),
    (["torchrun", "--nproc_per_node", "2", "train.py"], ["train.py", "unet/__init__.py", "unet/model.py",
                                                         "unet/parts.py", "utils/__init__.py", "utils/data.py"]),
    (["python", "-m", "torch.distributed.run", "--nproc_per_node=2", "predict.py"],
     ["predict.py", "unet/__init__.py", "unet/model.py", "unet/parts.py"]),
    (["env", "A=1", "python", "-c", "from utils import plots"], ["utils/__init__.py", "utils/plots.py"]),
    (["python", "-c", "pass"], []),
])
def test_scope_follows_the_projects_imports_from_the_entry(tmp_path, command, expected):
    root = write(tmp_path, LAYOUT)
    found = scope.resolve(command, root)
    assert not found.whole, found.why
    assert names(found, root) == sorted(expected)



# The src layout (PyPA's packaging guide), run as `python -m pkg.train` after an editable install: the package is
# found in src/, and its absolute imports of itself are followed there.
SRC_LAYOUT = {
    "src/pkg/__init__.py": "from .model import Model\n",
    "src/pkg/model.py": "import torch\nclass Model: pass\n",
    "src/pkg/train.py": "from pkg.model import Model\nfrom pkg import data\n",
    "src/pkg/data.py": "import numpy\n",
    "src/pkg/plots.py": "import matplotlib\n",
}


def test_a_module_of_a_src_layout_is_followed_in_src(tmp_path):
    root = write(tmp_path, SRC_LAYOUT)
    found = scope.resolve(["python", "-m", "pkg.train"], root)
    assert not found.whole, found.why
    assert names(found, root) == ["src/pkg/__init__.py", "src/pkg/data.py", "src/pkg/model.py", "src/pkg/train.py"]


def test_a_module_the_interpreter_finds_in_another_project_folder_is_followed_there(tmp_path, monkeypatch):
    # A .pth file or an editable install that puts code/ on sys.path: find_spec of the top-level name says where.
    root = write(tmp_path, {"code/lab/__init__.py": "", "code/lab/fit.py": "from lab import util\n",
                            "code/lab/util.py": "import os\n", "code/lab/unused.py": "import torch\n"})
    monkeypatch.syspath_prepend(str(root / "code"))
    found = scope.resolve(["python", "-m", "lab.fit"], root)
    assert not found.whole, found.why
    assert names(found, root) == ["code/lab/__init__.py", "code/lab/fit.py", "code/lab/util.py"]

@pytest.mark.parametrize("command, why", [
    (["sh", "-c", "python train.py"], "shell script"),
    (["python", "train.py", "|", "tee", "log"], "shell command line"),
    (["make", "train"], "make is not a Python interpreter"),
    (["python", "missing.py"], "missing.py does not exist"),
    (["python", "-m", "pytest"], "module pytest is not a file of the project"),
    (["python", "dynamic.py"], "dynamic.py:2 imports a module whose name is computed at run time"),
])
def test_scope_is_the_whole_project_when_the_entry_cannot_be_followed(tmp_path, command, why):
    root = write(tmp_path, {**LAYOUT, "dynamic.py": "import importlib\nmod = importlib.import_module(name)\n"})
    found = scope.resolve(command, root)
    assert found.whole and why in found.why


def test_excluded_files_are_out_of_scope(tmp_path):
    root = write(tmp_path, LAYOUT)
    assert "unet/parts.py" not in names(scope.resolve(["python", "train.py"], root, ["unet/parts.py"]), root)


def test_host_device_without_a_visible_cuda_device_is_cpu():
    assert gate.host_device({"CUDA_VISIBLE_DEVICES": ""}) == "cpu"
    assert gate.host_device({"CUDA_VISIBLE_DEVICES": "-1"}) == "cpu"


CUDA_ONLY = "import torch.nn.functional as F\ndef f(x, g):\n    return F.grid_sample(x, g)\n"  # raises on CUDA only
EVERYWHERE = "import torch\ntorch.use_deterministic_algorithms(False)\n"


@pytest.mark.parametrize("device, blocked", [("cpu", False), ("cuda", True)])
def test_a_cuda_only_error_blocks_only_where_cuda_is(tmp_path, device, blocked):
    root = write(tmp_path, {"train.py": "import ops\n", "ops.py": CUDA_ONLY})
    decision = gate.decide(root, LintConfig(), ["python", "train.py"], device=device)
    assert decision.blocked is blocked
    [finding] = decision.report.findings
    assert finding.rule == "torch-grid-sample" and finding.severity == ("info" if device == "cpu" else "error")
    assert decision.record()["gate"]["device"] == device


def test_errors_in_files_the_command_does_not_import_do_not_block(tmp_path):
    root = write(tmp_path, {"train.py": "import os\n", "old_experiment.py": EVERYWHERE})
    decision = gate.decide(root, LintConfig(), ["python", "train.py"], device="cuda")
    assert not decision.blocked and decision.report.findings == []
    assert decision.record()["gate"]["files"] == ["train.py"]
    whole = gate.decide(root, LintConfig(), ["bash", "run.sh"], device="cuda")
    assert whole.blocked and whole.record()["gate"]["scope"] == "project"


def test_allow_nondeterministic_reports_but_never_blocks(tmp_path):
    root = write(tmp_path, {"train.py": EVERYWHERE})
    decision = gate.decide(root, LintConfig(), ["python", "train.py"], allow_nondeterministic=True, device="cpu")
    assert not decision.blocked and len(decision.blocking) == 1
    assert decision.record()["gate"]["allow_nondeterministic"] is True


def test_a_file_that_could_not_be_checked_blocks_only_when_imported(tmp_path):
    big = "# padding\n" * (17 * 2**20 // 10)  # over the engine's 16 MB limit: not checked, so it may hide an error
    root = write(tmp_path, {"train.py": "import os\n", "generated.py": big})
    assert not gate.decide(root, LintConfig(), ["python", "train.py"], device="cpu").blocked
    (root / "train.py").write_text("import generated\n")
    decision = gate.decide(root, LintConfig(), ["python", "train.py"], device="cpu")
    assert decision.blocked and decision.blocking[0].path == "generated.py"


# A Pytorch-UNet-like layout (github.com/milesial/Pytorch-UNet, commit 21d7850, read for its structure: bilinear
# nn.Upsample in unet/unet_parts.py, F.interpolate under torch.no_grad() in predict.py, CrossEntropyLoss on
# (N, C, H, W) logits in train.py). Written here from scratch.
UNET = {
    "unet/__init__.py": "from .parts import Up\n",
    "unet/parts.py": ("import torch.nn as nn\n"
                      "class Up(nn.Module):\n"
                      "    def __init__(self):\n"
                      "        super().__init__()\n"
                      "        self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)\n"),
    "predict.py": ("import torch\nimport torch.nn.functional as F\nfrom unet import Up\n"
                   "@torch.no_grad()\n"
                   "def predict(net, img):\n"
                   "    out = net(img.unsqueeze(0)).cpu()\n"
                   "    return F.interpolate(out, (img.size(1), img.size(2)), mode='bilinear')\n"),
    "train.py": ("import torch\nimport torch.nn as nn\nfrom unet import Up\n"
                 "criterion = nn.CrossEntropyLoss()\n"
                 "def step(model, images, masks):\n"
                 "    return criterion(model(images), masks)\n"),
}


def test_unet_layout(tmp_path):
    root = write(tmp_path, UNET)
    found = {(f.path, f.rule): f.severity for f in gate.decide(root, LintConfig(), ["python", "train.py"],
                                                               device="cuda").report.findings}
    assert found == {("unet/parts.py", "torch-interpolate-decomposed"): "info",
                     ("train.py", "torch-cross-entropy-nd"): "warning"}
    predict = gate.decide(root, LintConfig(), ["python", "predict.py"], device="cuda")
    assert not predict.blocked and all(f.severity == "info" for f in predict.report.findings)


def test_unet_layout_mlf_run_python_c_pass_on_a_cpu_host(tmp_path):
    root = write(tmp_path, UNET)
    record = tmp_path / "record.json"
    result = mlf("run", "--project", str(root), "--record", str(record), "--", PY, "-c", "pass",
                 env={**clean_environment(), "CUDA_VISIBLE_DEVICES": ""})
    assert result.returncode == 0, result.stderr
    gate_record = json.loads(record.read_text())["lint"]["gate"]
    assert gate_record["scope"] == "imports" and gate_record["files"] == [] and gate_record["device"] == "cpu"
