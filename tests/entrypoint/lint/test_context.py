"""What the code states decides: no-grad regions, values that are not tensors, on the CPU or detached, stated
shapes and dtypes, seeds from the clock, unsorted listings, notebooks."""

from __future__ import annotations

import json

import pytest

from .conftest import lint_snippet, rule_ids

TORCH = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


@pytest.mark.parametrize("source", [
    "with torch.no_grad():\n    y = F.grid_sample(x, g)\n",
    "with torch.inference_mode():\n    y = F.grid_sample(x, g)\n",
    "with torch.set_grad_enabled(False):\n    y = F.grid_sample(x, g)\n",
    "with open(p) as f, torch.no_grad():\n    if ok:\n        y = F.grid_sample(x, g)\n",
    "@torch.no_grad()\ndef predict(x):\n    return F.grid_sample(x, g)\n",
    "@torch.inference_mode\ndef predict(x):\n    return F.grid_sample(x, g)\n",
    "y = F.grid_sample(x.detach(), g)\n",
    "y = F.grid_sample(x.cpu(), g)\n",
    "z = x.detach()\ny = F.grid_sample(z, g)\n",
    "y = F.ctc_loss(lp.cpu(), t, il, tl)\n",
])
def test_backward_only_ops_without_a_gradient_are_not_findings(lint, source):
    assert [r for r in rule_ids(lint(TORCH + source)) if r.startswith("torch-")] == []


@pytest.mark.parametrize("source", [
    "with torch.enable_grad():\n    y = F.grid_sample(x, g)\n",
    "with torch.set_grad_enabled(True):\n    y = F.grid_sample(x, g)\n",
    "with torch.inference_mode(False):\n    y = F.grid_sample(x, g)\n",
    "def train(x):\n    return F.grid_sample(x, g)\n",
    "z = x.detach()\nz = model(z)\ny = F.grid_sample(z, g)\n",
])
def test_with_a_gradient_they_are(lint, source):
    assert "torch-grid-sample" in rule_ids(lint(TORCH + source))


@pytest.mark.parametrize("source", [
    "import numpy as np\ntp = np.zeros(3)\nfp = (1 - tp).cumsum(0)\nm = np.asarray(v).median(0)\n",
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.scatter(x, y)\nax.put(1, 2)\n",
    "import pandas as pd\ndf = pd.read_csv(p)\nm = df.median(0)\nh = df['a'].histc()\n",
    "v = t.numpy()\nm = v.median(0)\n",
])
def test_receivers_from_other_libraries_are_not_tensors(lint, source):
    assert [r for r in rule_ids(lint(TORCH + source)) if r.startswith("torch-")] == []


def test_a_stated_shape_or_dtype_decides(lint):
    assert rule_ids(lint(TORCH + "l = F.nll_loss(out.view(-1, 10), y)\nh = torch.histc(x.long(), bins=4)\n")) == []
    assert rule_ids(lint(TORCH + "z = out.reshape(n, c)\nl = F.cross_entropy(z, y)\n")) == []
    assert rule_ids(lint(TORCH + "l = F.nll_loss(out, y)\nh = x.histc()\n")) == ["torch-nll-loss", "torch-histc"]


def test_a_cpu_value_rules_out_cuda_only_ops(lint):
    assert rule_ids(lint(TORCH + "h = x.cpu().histc(bins=4)\nc = torch.bincount(x.to('cpu'), w)\n")) == []
    assert rule_ids(lint(TORCH + "x = torch.tensor(v).put_(i, s)\n")) == ["torch-put"]  # raises on every device


@pytest.mark.parametrize("source, expected", [
    ("nn.AdaptiveAvgPool2d(1)", []), ("nn.AdaptiveAvgPool2d((1, 1))", []),
    ("nn.AdaptiveAvgPool2d(output_size=[1, 1])", []), ("F.adaptive_avg_pool2d(x, 1)", []),
    ("nn.AdaptiveAvgPool3d((1, 1, 1))", []),
    ("nn.AdaptiveAvgPool2d((7, 7))", ["torch-adaptive-avg-pool"]),
    ("nn.AdaptiveAvgPool2d(size)", ["torch-adaptive-avg-pool"]),
])
def test_adaptive_average_pooling_to_one_is_a_mean(lint, source, expected):
    assert rule_ids(lint(TORCH + source + "\n")) == expected


def test_unknown_size_is_a_warning(lint):
    [finding] = lint(TORCH + "nn.AdaptiveAvgPool2d(size)\n").findings
    assert finding.severity == "warning" and "`output_size` is not a literal" in finding.message


@pytest.mark.parametrize("source, found", [
    ("import numpy as np\nimport time\nnp.random.seed(int(time.time()))\n", True),
    ("import random, os\nrandom.seed(os.getpid())\n", True),
    ("import torch\nfrom datetime import datetime\ntorch.manual_seed(datetime.now().microsecond)\n", True),
    ("import numpy as np\nimport time\nrng = np.random.default_rng(time.time_ns())\n", True),
    ("import numpy as np\nimport time\nnp.random.seed(42)\nt0 = time.time()\n", False),
    ("import torch, os\ntorch.manual_seed(int(os.environ['MLF_SEED']))\n", False),
])
def test_seeding_from_the_clock_is_an_error(lint, source, found):
    assert ("contract-clock-seed" in rule_ids(lint(source))) is found


def test_unseeded_generators(lint):
    source = ("import random\nimport numpy as np\n"
              "a = np.random.RandomState()\nb = np.random.default_rng(None)\nc = random.Random()\n"
              "d = np.random.RandomState(0)\ne = np.random.default_rng(seed)\nf = random.Random(3)\n")
    report = lint(source)
    assert [(f.rule, f.line, f.severity) for f in report.findings] == [
        ("contract-unseeded-rng", 3, "error"), ("contract-unseeded-rng", 4, "error"),
        ("contract-unseeded-rng", 5, "error")]


@pytest.mark.parametrize("source, lines", [
    ("files = os.listdir(d)\n", [1]),
    ("for f in glob.glob('*.png'):\n    pass\n", [1]),
    ("items = [p for p in Path(d).iterdir()]\n", [1]),
    ("files = sorted(os.listdir(d))\n", []),
    ("files = os.listdir(d)\nfiles.sort()\n", []),
    ("files = [f for f in glob.glob('*.png') if ok(f)]\nfiles = sorted(files)\n", []),
    ("for p in sorted(Path(d).rglob('*.wav')):\n    pass\n", []),
])
def test_unsorted_listings_in_ml_code(lint, source, lines):
    prelude = "import os, glob\nfrom pathlib import Path\nimport torch\n"
    report = lint(prelude + source)
    assert [f.line - 3 for f in report.findings if f.rule == "contract-unsorted-listing"] == lines
    assert rule_ids(lint("import os\nfiles = os.listdir(d)\n")) == []  # not ML code: no data order to keep


def test_notebook_cells_are_checked_with_cell_and_line(tmp_path):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["F.grid_sample(x, g)"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import torch.nn.functional as F\n"]},
        {"cell_type": "code", "source": ["!nvidia-smi\n", "y = F.grid_sample(x, g)  \n",
                                         "z = F.grid_sample(x, g)  # mlf: ignore\n"]},
        {"cell_type": "code", "source": "def broken(:\n"},
        {"cell_type": "code", "source": ["%%time\n", "not python at all ((\n"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "explore.ipynb"
    path.write_text(json.dumps(notebook))
    from mlfcore.entrypoint.lint import lint_paths

    report = lint_paths([tmp_path], base=tmp_path, jobs=1)
    assert [(f.rule, f.cell, f.line) for f in report.findings] == [("torch-grid-sample", 3, 2),
                                                                   ("file-syntax", 4, 1)]
    assert "explore.ipynb[cell 3]:2:5 torch-grid-sample error" in report.render_text()
    assert report.to_dict()["findings"][0]["cell"] == 3
    (tmp_path / "explore.ipynb").write_text("{not json")
    [note] = lint_paths([tmp_path], base=tmp_path, jobs=1).findings
    assert note.rule == "file-syntax" and "not a readable notebook" in note.message


def test_device_narrows_cuda_only_findings(tmp_path):
    report = lint_snippet(tmp_path, TORCH + "y = F.grid_sample(x, g)\nx.put_(i, v)\n")
    assert [f.severity for f in report.findings] == ["error", "error"]
    narrowed = report.for_device("cpu")
    assert [(f.rule, f.severity) for f in narrowed.findings] == [("torch-grid-sample", "info"), ("torch-put", "error")]
    assert "CUDA only" in narrowed.findings[0].message
    assert report.for_device("cuda").findings == report.findings


def test_a_one_level_wrapper_in_the_module_is_reported_at_its_call(lint):
    source = ("import torch.nn.functional as F\n"
              "def resize(x, size, mode):\n"
              "    return F.interpolate(x, size=size, mode=mode)\n"
              "class Net:\n"
              "    def up(self, x, mode='nearest'):\n"
              "        return F.interpolate(x, scale_factor=2, mode=mode)\n"
              "    def forward(self, x):\n"
              "        a = self.up(x, 'bicubic')\n"
              "        b = self.up(x, mode='nearest')\n"
              "        c = resize(x, 64, mode='bilinear')\n"
              "        return resize(x, 64, 'linear'), resize(x, 64, m)\n")
    found = [(f.line, f.rule, f.severity, f.symbol) for f in lint(source).findings]
    assert found == [(3, "torch-interpolate", "warning", "torch.nn.functional.interpolate"),
                     (6, "torch-interpolate", "warning", "torch.nn.functional.interpolate"),
                     (8, "torch-interpolate", "warning", "up -> torch.nn.functional.interpolate"),
                     (11, "torch-interpolate", "warning", "resize -> torch.nn.functional.interpolate")]
