"""The torch table against PyTorch's own alert tests (test/test_torch.py: test_nondeterministic_alert_*,
test_no_nondeterministic_alert_*, test_deterministic_*), read for the pinned 2.13 behaviour: every op they show
raising is flagged under its conditions, every op they show deterministic under the switch is not an error.

Each row: the test that shows it, a snippet written here in the test's spirit, and the level expected with
`--device any` ("none": no finding of that rule)."""

from __future__ import annotations

import pytest

PRELUDE = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

ROWS = [
    # (PyTorch test, snippet, rule, expected level)
    ("test_nondeterministic_alert_AvgPool3d", "m = nn.AvgPool3d(3)", "torch-avg-pool3d", "error"),
    ("test_nondeterministic_alert_AdaptiveAvgPool2d", "m = nn.AdaptiveAvgPool2d(3)", "torch-adaptive-avg-pool",
     "error"),
    ("test_nondeterministic_alert_AdaptiveAvgPool3d", "m = nn.AdaptiveAvgPool3d(3)", "torch-adaptive-avg-pool",
     "error"),
    ("test_nondeterministic_alert_MaxPool3d (forward outside the switch; functional.py decomposes it inside)",
     "m = nn.MaxPool3d(3)", "torch-max-pool3d", "info"),
    ("test_nondeterministic_alert_AdaptiveMaxPool2d", "m = nn.AdaptiveMaxPool2d(3)", "torch-adaptive-max-pool2d",
     "error"),
    ("test_nondeterministic_alert_FractionalMaxPool2d", "m = nn.FractionalMaxPool2d(2, output_ratio=0.5)",
     "torch-fractional-max-pool", "error"),
    ("test_nondeterministic_alert_FractionalMaxPool3d", "m = nn.FractionalMaxPool3d(2, output_ratio=0.5)",
     "torch-fractional-max-pool", "error"),
    ("test_nondeterministic_alert_MaxUnpool1d (every device)", "m = nn.MaxUnpool1d(3, 1)", "torch-max-unpool",
     "error"),
    ("test_nondeterministic_alert_MaxUnpool2d", "m = nn.MaxUnpool2d(3, 1)", "torch-max-unpool", "error"),
    ("test_nondeterministic_alert_MaxUnpool3d", "m = nn.MaxUnpool3d(3, 1)", "torch-max-unpool", "error"),
    ("test_nondeterministic_alert_interpolate_linear", "y = F.interpolate(x, size=12, mode='linear')",
     "torch-interpolate", "error"),
    ("test_nondeterministic_alert_interpolate_bicubic", "y = F.interpolate(x, size=12, mode='bicubic')",
     "torch-interpolate", "error"),
    ("test_no_nondeterministic_alert_interpolate_bilinear", "y = F.interpolate(x, size=12, mode='bilinear')",
     "torch-interpolate", "none"),
    ("test_no_nondeterministic_alert_interpolate_trilinear", "y = F.interpolate(x, size=12, mode='trilinear')",
     "torch-interpolate", "none"),
    ("test_deterministic_interpolate_bilinear", "y = F.interpolate(x, size=12, mode='bilinear')",
     "torch-interpolate-decomposed", "info"),
    ("test_nondeterministic_alert_ReflectionPad1d", "m = nn.ReflectionPad1d((1, 2))", "torch-reflection-pad",
     "error"),
    ("test_nondeterministic_alert_ReflectionPad3d", "m = nn.ReflectionPad3d((1, 2, 3, 4, 5, 6))",
     "torch-reflection-pad", "error"),
    ("test_deterministic_replication_pad2d", "y = F.pad(x, (1, 1, 1, 1), mode='replicate')",
     "torch-replication-pad", "info"),
    ("test_nondeterministic_alert_ReplicationPad2d (deterministic when the forward ran under the switch)",
     "m = nn.ReplicationPad2d((1, 2, 3, 4))", "torch-replication-pad", "info"),
    ("test_nondeterministic_alert_NLLLoss (4-D input: nll_loss2d; the shape is not shown here)",
     "m = nn.NLLLoss()", "torch-nll-loss", "warning"),
    ("test_nondeterministic_alert_NLLLoss (2-D input takes nll_loss_forward)",
     "l = F.nll_loss(x.view(-1, 3), t)", "torch-nll-loss", "none"),
    ("test_nondeterministic_alert_CTCLoss", "m = nn.CTCLoss()", "torch-ctc-loss", "error"),
    ("test_nondeterministic_alert_EmbeddingBag_max", "m = nn.EmbeddingBag(4, 3, None, 2.0, False, 'max')",
     "torch-embedding-bag-max", "error"),
    ("test_deterministic_cumsum", "y = x.cumsum(0)", "torch-cumsum", "info"),
    ("test_nondeterministic_alert_put (every device)", "a.put_(i, v, accumulate=False)", "torch-put", "error"),
    ("test_nondeterministic_alert_put_accumulate (CUDA only)", "a.put_(i, v, accumulate=True)",
     "torch-put-accumulate", "warning"),
    ("test_nondeterministic_alert_histc (floating input)", "h = torch.histc(x, min=0, max=3)", "torch-histc",
     "error"),
    ("test_nondeterministic_alert_histc (int32 input: no alert)", "h = torch.histc(x.int(), min=0, max=3)",
     "torch-histc", "none"),
    ("test_nondeterministic_alert_bincount (weights)", "c = torch.bincount(a, w)", "torch-bincount", "error"),
    ("test_nondeterministic_alert_bincount (no weights: no alert)", "c = torch.bincount(a)", "torch-bincount",
     "none"),
    ("test_nondeterministic_alert_grid_sample_2d", "y = F.grid_sample(x, g, align_corners=False)",
     "torch-grid-sample", "error"),
    ("test_nondeterministic_alert_median (with indices)", "v = torch.median(a, 0)", "torch-median-indices",
     "error"),
    ("test_nondeterministic_alert_median (no indices)", "v = a.median()", "torch-median-indices", "none"),
    ("test_gather_backward_deterministic_path", "y = torch.gather(s, 0, i)", "torch-gather", "info"),
    ("test_scatter_add_one_dim_deterministic", "y = x.scatter_add(0, i, s)", "torch-scatter-add", "info"),
]


@pytest.mark.parametrize("test, snippet, rule, expected", ROWS, ids=[r[0].split(" ")[0] + ":" + r[1] for r in ROWS])
def test_levels_follow_pytorchs_alert_tests(lint, test, snippet, rule, expected):
    levels = [f.severity for f in lint(PRELUDE + snippet + "\n").findings if f.rule == rule]
    assert levels == ([] if expected == "none" else [expected]), test
