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
