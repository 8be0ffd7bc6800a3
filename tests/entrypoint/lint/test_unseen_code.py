"""Code the linter had not seen before: loss subclasses, third-party loaders, cuDNN switches under the contract,
interpolation of the data batch, quantized resize_, a crashing check, an unreadable file."""

from __future__ import annotations

from .conftest import rule_ids


def severities(report, rule: str) -> list[str]:
    return [f.severity for f in report.findings if f.rule == rule]


# --- cuDNN switches ------------------------------------------------------------------------------------------


def test_cudnn_deterministic_false_is_info_under_the_contract(lint):
    # Convolution.cpp ORs deterministicCuDNN() with deterministicAlgorithms(), which the contract sets.
    report = lint("import torch\ntorch.backends.cudnn.deterministic = False\n")
    assert severities(report, "contract-cudnn-deterministic") == ["info"] and not report.has_errors


def test_cudnn_benchmark_stays_an_error_on_cuda_and_any_device(lint):
    report = lint("import torch\ntorch.backends.cudnn.benchmark = True\n")
    assert severities(report, "contract-cudnn-benchmark") == ["error"]
    assert severities(report.for_device("cuda"), "contract-cudnn-benchmark") == ["error"]


def test_cudnn_switches_are_info_on_a_cpu_host(lint):
    report = lint("import torch\ntorch.backends.cudnn.benchmark = True\n"
                  "with torch.backends.cudnn.flags(enabled=True, benchmark=True):\n    pass\n").for_device("cpu")
    assert severities(report, "contract-cudnn-benchmark") == ["info", "info"] and not report.has_errors


# --- an unreadable file --------------------------------------------------------------------------------------


def test_an_unreadable_file_is_an_error_naming_it(tmp_path):
    import os

    from mlfcore.entrypoint.lint import lint_paths

    (tmp_path / "ok.py").write_text("x = 1\n")
    os.symlink("loop.py", tmp_path / "loop.py")  # a file that cannot be opened, whoever runs the test
    report = lint_paths([tmp_path], base=tmp_path, jobs=1)
    [finding] = report.findings
    assert finding.rule == "file-unreadable" and finding.severity == "error" and report.has_errors
    assert "loop.py" in finding.message and report.exit_code() == 1


def test_mlf_lint_exits_1_on_an_unreadable_file_and_the_gate_blocks_it(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from mlfcore.entrypoint.lint import gate
    from mlfcore.entrypoint.lint.config import LintConfig

    os.symlink("loop.py", tmp_path / "loop.py")
    mlf = Path(sys.executable).with_name("mlf")
    result = subprocess.run([str(mlf), "lint", "loop.py"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1 and "loop.py" in result.stdout and "file-unreadable" in result.stdout
    decision = gate.decide(tmp_path, LintConfig(), ["sh", "-c", "true"], device="cpu")  # a shell: whole project
    assert decision.blocked and [f.rule for f in decision.blocking] == ["file-unreadable"]


# --- a check that crashes ------------------------------------------------------------------------------------

CRASHING = "import torch\ntorch.bincount(x, w)\ny = torch.histc(-'a')\ntorch.use_deterministic_algorithms(False)\n"


def test_a_unary_minus_on_a_string_is_no_crash(lint):
    report = lint(CRASHING)
    assert sorted(rule_ids(report)) == ["contract-deterministic-algorithms-off", "torch-bincount", "torch-histc"]


def _crash_on_histc(monkeypatch):
    from mlfcore.entrypoint.lint import conditions

    evaluate = conditions.evaluate

    def crashing(match, *args):
        if "torch.histc" in match.symbols:
            raise TypeError("bad operand type for unary -: 'str'")
        return evaluate(match, *args)

    monkeypatch.setattr(conditions, "evaluate", crashing)


def test_a_crashing_check_loses_only_its_own_finding(lint, monkeypatch):
    _crash_on_histc(monkeypatch)
    report = lint(CRASHING)
    assert sorted(rule_ids(report)) == ["contract-deterministic-algorithms-off", "file-incomplete", "torch-bincount"]
    [note] = [f for f in report.findings if f.rule == "file-incomplete"]
    assert note.severity == "warning" and "torch-histc" in note.message and note.line == 3


def test_the_gate_counts_errors_and_incomplete_files_apart(tmp_path, monkeypatch):
    from mlfcore.entrypoint.lint import gate
    from mlfcore.entrypoint.lint.config import LintConfig

    _crash_on_histc(monkeypatch)
    (tmp_path / "train.py").write_text(CRASHING)
    decision = gate.decide(tmp_path, LintConfig(), ["python", "train.py"], device="cpu", jobs=1)
    # bincount is CUDA-only (info here); use_deterministic_algorithms(False) is the one error shown.
    assert decision.blocked and decision.report.count("error") == 1
    assert decision.message().startswith("1 lint finding at error level and 1 file checked incompletely for this "
                                         "host (cpu)")


# --- loss subclasses -----------------------------------------------------------------------------------------

LOSS_PRELUDE = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"


def test_a_cross_entropy_subclass_calling_super_forward_is_flagged_there(lint):
    report = lint(LOSS_PRELUDE + (
        "class SegLoss(nn.CrossEntropyLoss):\n"
        "    def forward(self, logits, target):\n"
        "        return super().forward(logits, target[:, 0].long())\n"
        "criterion = SegLoss(ignore_index=255)\n"))
    [finding] = report.findings
    assert finding.rule == "torch-cross-entropy-nd" and finding.line == 6 and finding.severity == "warning"
    assert finding.device == "cuda" and "super()" in finding.symbol


def test_an_nll_subclass_with_super_of_its_own_class_and_a_2d_view_is_not(lint):
    flagged = lint(LOSS_PRELUDE + (
        "class Loss2d(nn.NLLLoss):\n"
        "    def forward(self, x, y):\n"
        "        return super(Loss2d, self).forward(F.log_softmax(x, 1), y)\n"))
    assert rule_ids(flagged) == ["torch-nll-loss"]
    flat = lint(LOSS_PRELUDE + (
        "class Flat(nn.NLLLoss):\n"
        "    def forward(self, x, y):\n"
        "        return super().forward(x.reshape(-1, 4), y.reshape(-1))\n"))
    assert rule_ids(flat) == []


def test_a_subclass_without_forward_is_its_base_where_it_is_built(lint):
    report = lint(LOSS_PRELUDE + "class Weighted(nn.CrossEntropyLoss):\n    pass\n"
                  "a = Weighted(weight=None)\nb = Weighted(reduction='none')\n")
    assert [(f.rule, f.line) for f in report.findings] == [("torch-cross-entropy-nd", 6)]
    assert "a subclass of torch.nn.CrossEntropyLoss" in report.findings[0].symbol


def test_a_subclass_computing_with_the_functional_form_is_flagged_at_that_call(lint):
    report = lint(LOSS_PRELUDE + (
        "class Smooth(nn.CrossEntropyLoss):\n"
        "    def forward(self, x, y):\n"
        "        return F.cross_entropy(x, y, label_smoothing=0.1)\n"
        "loss = Smooth()\n"))
    assert [(f.rule, f.line) for f in report.findings] == [("torch-cross-entropy-nd", 6)]


def test_a_subclass_of_an_unlisted_class_is_nothing(lint):
    report = lint(LOSS_PRELUDE + "class L(nn.MSELoss):\n    def forward(self, a, b):\n"
                  "        return super().forward(a, b)\nL()\n")
    assert rule_ids(report) == []


# --- resize_ of a quantized tensor ---------------------------------------------------------------------------


def test_resize_of_a_quantized_tensor_is_an_error(lint):
    report = lint("import torch\nx = torch.arange(4.0)\nq = torch.quantize_per_tensor(x, 0.1, 10, torch.quint8)\n"
                  "r = q.clone()\nq.resize_((8,))\nr.resize_(8)\ntorch.Tensor.resize_(q, (2,))\n")
    assert [(f.rule, f.line, f.severity) for f in report.findings] == [
        ("torch-resize-quantized", 5, "error"), ("torch-resize-quantized", 6, "error"),
        ("torch-resize-quantized", 7, "error")]
    assert report.for_device("cpu").has_errors  # quantized_resize_cpu_: it alerts on the CPU too


def test_resize_of_a_tensor_not_stated_quantized_is_nothing(lint):
    report = lint("import torch\nx = torch.zeros(3)\nx.resize_(8)\nq = torch.quantize_per_tensor(x, 0.1, 0, "
                  "torch.qint8)\nd = q.dequantize()\nd.resize_(8)\nbuffer.resize_(4)\n")
    assert rule_ids(report) == []


# --- interpolating the data batch ----------------------------------------------------------------------------

BATCH_PRELUDE = ("import torch\nimport torch.nn.functional as F\nfrom torch.utils.data import DataLoader\n"
                 "loader = DataLoader(ds, batch_size=4)\n")


def test_interpolating_the_data_batch_is_no_error(lint):
    report = lint(BATCH_PRELUDE + (
        "for step, (images, masks) in enumerate(loader):\n"
        "    images = images.to('cuda').float()\n"
        "    small = F.interpolate(images, scale_factor=0.5, mode='bicubic')\n"
        "    m = F.interpolate(masks[:, None].float(), size=(64, 64), mode='bicubic')\n"
        "for batch in train_loader:\n"
        "    x = batch['image'].cuda()\n"
        "    y = F.interpolate(x, size=(32, 32), mode='linear')\n"))
    assert rule_ids(report) == []


def test_interpolating_activations_is_still_an_error(lint):
    report = lint(BATCH_PRELUDE + (
        "def forward(x):\n"
        "    return F.interpolate(x, scale_factor=2, mode='bicubic')\n"
        "for x, y in loader:\n"
        "    out = model(x)\n"
        "    up = F.interpolate(out, scale_factor=2, mode='bicubic')\n"
        "    x = model.stem(x)\n"
        "    again = F.interpolate(x, scale_factor=2, mode='bicubic')\n"
        "for x, y in loader:\n"
        "    x.requires_grad_(True)\n"
        "    adv = F.interpolate(x, scale_factor=2, mode='bicubic')\n"
        "for x in [a, b]:\n"
        "    z = F.interpolate(x, scale_factor=2, mode='bicubic')\n"))
    # The parameter of another function (line 6) is no batch; nor an activation, a batch reassigned from a layer,
    # a batch that asks for its gradient, or a loop over anything but a loader.
    assert [(f.rule, f.line) for f in report.findings] == [("torch-interpolate", n) for n in (6, 9, 11, 14, 16)]


# --- third-party loaders (lint/data/libraries.toml, frameworks/torch/tables/libraries.toml) ------------------


def test_monai_set_determinism_fires_only_on_a_literal_none(lint):
    report = lint("from monai.utils import set_determinism\nset_determinism()\nset_determinism(seed=cfg.seed)\n"
                  "set_determinism(None)\n")
    assert [(f.rule, f.line, f.severity) for f in report.findings] == [("lib-monai-unseeded", 4, "error")]


def test_seeds_handed_to_library_seeders_are_checked_for_the_clock(lint):
    report = lint("import time\nfrom accelerate.utils import set_seed\nset_seed(int(time.time()))\n"
                  "set_seed(42, deterministic=False)\n")
    assert [(f.rule, f.line) for f in report.findings] == [("contract-clock-seed", 3)]


def test_a_numpy_generator_shuffle_is_no_datasets_shuffle(lint):
    report = lint("import numpy as np\nfrom datasets import load_dataset\nrng = np.random.default_rng(0)\n"
                  "rng.shuffle(items)\nnp.random.shuffle(items)\nds = load_dataset('x', streaming=True)\n"
                  "ds = ds.shuffle()\n")
    assert [(f.rule, f.line) for f in report.findings] == [("lib-datasets-shuffle-unseeded", 7)]


def test_the_library_rules_are_one_selectable_group(lint):
    source = ("import albumentations as A\nimport torch\nt = A.Compose([])\n"
              "torch.use_deterministic_algorithms(False)\n")
    assert rule_ids(lint(source, select=["lib"])) == ["lib-albumentations-unseeded"]
    assert "lib-albumentations-unseeded" not in rule_ids(lint(source, ignore=["lib"]))


def test_a_subclass_without_forward_is_checked_at_its_own_super_init(lint):
    # Its __init__ holds what every use passes: a use in another file of the project is covered there.
    report = lint(LOSS_PRELUDE + (
        "class Weighted(nn.CrossEntropyLoss):\n"
        "    def __init__(self, w):\n"
        "        super().__init__(weight=w, ignore_index=255)\n"
        "class Flat(nn.NLLLoss):\n"
        "    def __init__(self):\n"
        "        super(Flat, self).__init__(reduction='none')\n"
        "a = Weighted(None)\nb = Flat()\n"))
    assert [(f.rule, f.line) for f in report.findings] == [("torch-cross-entropy-nd", 6)]
