"""The lint-truth cases: one small program per op the torch rule table names, written as a user would write it.

Each case is linted as source (the table's verdict, through the real linter) and executed on the device (what torch
does). A case names the rule it exercises and whether that rule must fire on it: `fires=False` marks the variants
the table rules out by a fact the code shows (2-D input, an integer dtype, global pooling, bilinear without
antialias, no weights). The programs read `DEVICE` (set by the runner) and leave what they computed in `result`;
the runner seeds torch before each execution, so two executions see the same inputs.

Sizes are chosen so that atomic accumulation has work to race on: many repeated indices, overlapping windows, a
random upstream gradient (a gradient of all ones sums equal values, which any order adds to the same bits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    rule: str  # the id of the torch table's rule this case exercises
    code: str
    # Whether `rule` must fire on `code` (the tests check it with the linter). A rule the table marks as not linted
    # (a `note`, no matches) never fires: the table's claim is then its severity alone.
    fires: bool = True
    named: bool = False  # one of the behaviours only CUDA can show, which the table could not verify on a CPU

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")


_IMPORTS = "import torch\nimport torch.nn.functional as F\n"


def _case(name: str, rule: str, body: str, **flags) -> Case:
    return Case(name, rule, _IMPORTS + body.strip() + "\n", **flags)


def _backward(make: str, shape: str, rule: str, name: str, **flags) -> Case:
    """A module or function applied to a random input that requires grad, differentiated with a random gradient."""
    return _case(name, rule, f"""
x = torch.randn({shape}, device=DEVICE, requires_grad=True)
out = {make}
out.backward(torch.randn_like(out))
result = (out, x.grad)
""", **flags)


_POOLING = (
    _backward("torch.nn.AvgPool3d(3, stride=2, padding=1)(x)", "2, 4, 16, 16, 16", "torch-avg-pool3d",
              "AvgPool3d backward"),
    _backward("torch.nn.AdaptiveAvgPool2d(7)(x)", "4, 8, 30, 30", "torch-adaptive-avg-pool",
              "AdaptiveAvgPool2d(7) backward"),
    _backward("torch.nn.AdaptiveAvgPool3d(5)(x)", "2, 4, 12, 12, 12", "torch-adaptive-avg-pool",
              "AdaptiveAvgPool3d(5) backward"),
    _backward("torch.nn.AdaptiveAvgPool2d(1)(x)", "4, 8, 30, 30", "torch-adaptive-avg-pool",
              "AdaptiveAvgPool2d(1) backward (global pooling)", fires=False),
    _backward("torch.nn.AdaptiveMaxPool2d(7)(x)", "4, 8, 30, 30", "torch-adaptive-max-pool2d",
              "AdaptiveMaxPool2d backward"),
    _backward("torch.nn.FractionalMaxPool2d(3, output_size=12)(x)", "4, 8, 30, 30", "torch-fractional-max-pool",
              "FractionalMaxPool2d backward"),
    _backward("torch.nn.FractionalMaxPool3d(2, output_size=6)(x)", "2, 4, 12, 12, 12", "torch-fractional-max-pool",
              "FractionalMaxPool3d backward"),
    _backward("F.max_pool3d(x, 3, stride=2)", "2, 4, 16, 16, 16", "torch-max-pool3d", "max_pool3d backward"),
    *(_case(f"MaxUnpool{d}d", "torch-max-unpool", f"""
x = torch.randn({shape}, device=DEVICE)
pooled, indices = F.max_pool{d}d(x, 2, return_indices=True)
result = torch.nn.MaxUnpool{d}d(2)(pooled, indices)
""") for d, shape in ((1, "4, 8, 64"), (2, "4, 8, 32, 32"), (3, "2, 4, 16, 16, 16"))),
)

_RESAMPLING = (
    _backward('F.interpolate(x, scale_factor=2, mode="linear")', "4, 8, 64", "torch-interpolate",
              "interpolate linear backward"),
    _backward('F.interpolate(x, scale_factor=2, mode="bicubic")', "4, 8, 16, 16", "torch-interpolate",
              "interpolate bicubic backward"),
    _backward('F.interpolate(x, size=(8, 8), mode="bilinear", antialias=True)', "4, 8, 32, 32", "torch-interpolate",
              "interpolate bilinear antialias backward"),
    _backward('F.interpolate(x, scale_factor=2, mode="bilinear")', "4, 8, 16, 16", "torch-interpolate-decomposed",
              "interpolate bilinear backward"),
    _backward('F.interpolate(x, scale_factor=2, mode="trilinear")', "2, 4, 8, 8, 8", "torch-interpolate-decomposed",
              "interpolate trilinear backward"),
    _backward("F.grid_sample(x, torch.rand(4, 16, 16, 2, device=DEVICE) * 2 - 1, align_corners=False)",
              "4, 8, 32, 32", "torch-grid-sample", "grid_sample backward"),
)

_PADDING = (
    _backward("torch.nn.ReflectionPad1d(3)(x)", "4, 8, 64", "torch-reflection-pad", "ReflectionPad1d backward"),
    _backward("torch.nn.ReflectionPad2d(3)(x)", "4, 8, 32, 32", "torch-reflection-pad", "ReflectionPad2d backward",
              named=True),
    _backward("torch.nn.ReflectionPad3d(2)(x)", "2, 4, 12, 12, 12", "torch-reflection-pad", "ReflectionPad3d backward"),
    _backward('F.pad(x, (3, 3, 3, 3), mode="reflect")', "4, 8, 32, 32", "torch-reflection-pad",
              "pad reflect backward"),
    _backward('torch.nn.Conv2d(8, 8, 3, padding=1, padding_mode="reflect").to(DEVICE)(x)', "4, 8, 32, 32",
              "torch-reflection-pad", "Conv2d padding_mode=reflect backward"),
    _backward("torch.nn.ReplicationPad1d(3)(x)", "4, 8, 64", "torch-replication-pad", "ReplicationPad1d backward"),
    _backward("torch.nn.ReplicationPad2d(3)(x)", "4, 8, 32, 32", "torch-replication-pad", "ReplicationPad2d backward"),
    _backward("torch.nn.ReplicationPad3d(2)(x)", "2, 4, 12, 12, 12", "torch-replication-pad",
              "ReplicationPad3d backward"),
)

_CONVOLUTIONS = (
    _backward("torch.nn.Conv2d(16, 32, 3, padding=1).to(DEVICE)(x)", "8, 16, 32, 32", "torch-conv",
              "Conv2d backward"),
    _backward("torch.nn.Conv3d(4, 8, 3, padding=1).to(DEVICE)(x)", "2, 4, 16, 16, 16", "torch-conv",
              "Conv3d backward"),
    _backward("torch.nn.ConvTranspose2d(16, 8, 2, stride=2).to(DEVICE)(x)", "8, 16, 16, 16", "torch-conv",
              "ConvTranspose2d backward"),
)

_LOSSES = (
    _case("nll_loss 2-D", "torch-nll-loss", """
logits = torch.randn(4096, 10, device=DEVICE, requires_grad=True)
target = torch.randint(0, 10, (4096,), device=DEVICE)
loss = F.nll_loss(logits.log_softmax(1).view(4096, 10), target)
loss.backward()
result = (loss, logits.grad)
""", fires=False, named=True),
    _case("nll_loss 4-D", "torch-nll-loss", """
logits = torch.randn(8, 10, 32, 32, device=DEVICE, requires_grad=True)
target = torch.randint(0, 10, (8, 32, 32), device=DEVICE)
loss = F.nll_loss(logits.log_softmax(1), target)
loss.backward()
result = (loss, logits.grad)
""", named=True),
    _case("cross_entropy 2-D", "torch-cross-entropy-nd", """
logits = torch.randn(4096, 10, device=DEVICE, requires_grad=True)
target = torch.randint(0, 10, (4096,), device=DEVICE)
loss = F.cross_entropy(logits.view(4096, 10), target)
loss.backward()
result = (loss, logits.grad)
""", fires=False),
    _case("cross_entropy 4-D", "torch-cross-entropy-nd", """
logits = torch.randn(8, 10, 32, 32, device=DEVICE, requires_grad=True)
target = torch.randint(0, 10, (8, 32, 32), device=DEVICE)
loss = F.cross_entropy(logits, target)
loss.backward()
result = (loss, logits.grad)
"""),
    _case("ctc_loss backward", "torch-ctc-loss", """
log_probs = torch.randn(50, 4, 20, device=DEVICE, requires_grad=True)
targets = torch.randint(1, 20, (4, 10), device=DEVICE)
lengths = torch.full((4,), 50, dtype=torch.long, device=DEVICE)
target_lengths = torch.full((4,), 10, dtype=torch.long, device=DEVICE)
loss = F.ctc_loss(log_probs.log_softmax(2), targets, lengths, target_lengths)
loss.backward()
result = (loss, log_probs.grad)
"""),
    _case("EmbeddingBag max backward", "torch-embedding-bag-max", """
bag = torch.nn.EmbeddingBag(1000, 32, mode="max").to(DEVICE)
indices = torch.randint(0, 1000, (4096,), device=DEVICE)
out = bag(indices, torch.arange(0, 4096, 16, device=DEVICE))
out.backward(torch.randn_like(out))
result = (out, bag.weight.grad)
"""),
)

# Writes and reductions through repeated indices: 100,000 values into 100 or 1,000 slots.
_SETUP = """
index = torch.randint(0, 100, (100000,), device=DEVICE)
src = torch.randn(100000, device=DEVICE)
"""


def _indexed(name: str, rule: str, body: str, **flags) -> Case:
    return _case(name, rule, _SETUP.strip() + "\n" + body.strip(), **flags)


_INDEXING = (
    _indexed("put_", "torch-put", "result = torch.zeros(100, device=DEVICE).put_(index, src)"),
    _indexed("put_ accumulate=True", "torch-put-accumulate",
             "result = torch.zeros(100, device=DEVICE).put_(index, src, accumulate=True)"),
    _indexed("index_put_ accumulate=False", "torch-index-put",
             "result = torch.zeros(100, device=DEVICE).index_put_((index,), src)"),
    _indexed("index_put_ accumulate=True", "torch-index-put",
             "result = torch.zeros(100, device=DEVICE).index_put_((index,), src, accumulate=True)"),
    _indexed("scatter_add_", "torch-scatter-add",
             "result = torch.zeros(100, device=DEVICE).scatter_add_(0, index, src)"),
    _indexed("scatter_", "torch-scatter", "result = torch.zeros(100, device=DEVICE).scatter_(0, index, src)"),
    _indexed("scatter_reduce prod", "torch-scatter-reduce-prod",
             'result = torch.ones(100, device=DEVICE).scatter_reduce(0, index, 1 + 0.01 * src, reduce="prod")'),
    _indexed("scatter_reduce sum", "torch-scatter-reduce-sum",
             'result = torch.zeros(100, device=DEVICE).scatter_reduce(0, index, src, reduce="sum")'),
    _indexed("scatter_reduce mean", "torch-scatter-reduce-sum",
             'result = torch.zeros(100, device=DEVICE).scatter_reduce(0, index, src, reduce="mean")'),
    _indexed("index_add_", "torch-index-add",
             "result = torch.zeros(100, 16, device=DEVICE).index_add_(0, index, src[:, None].expand(-1, 16))"),
    _indexed("index_copy_", "torch-index-copy",
             "result = torch.zeros(100, 16, device=DEVICE).index_copy_(0, index, src[:, None].expand(-1, 16))"),
    _backward("torch.gather(x, 1, torch.randint(0, 100, (64, 5000), device=DEVICE))", "64, 100", "torch-gather",
              "gather backward"),
    _backward("torch.index_select(x, 0, torch.randint(0, 100, (100000,), device=DEVICE))", "100, 16",
              "torch-index-select", "index_select backward"),
    _backward("x[torch.randint(0, 100, (100000,), device=DEVICE)]", "100, 16", "torch-index-backward",
              "x[index] backward", fires=False),
    _backward("torch.repeat_interleave(x, 3, dim=0)", "1000, 16", "torch-repeat-interleave",
              "repeat_interleave backward"),
)

_STATISTICS = (
    _case("histc float", "torch-histc",
          "result = torch.histc(torch.randn(100000, device=DEVICE), bins=50, min=-3, max=3)"),
    _case("histc integer", "torch-histc", """
x = torch.randint(0, 50, (100000,), device=DEVICE, dtype=torch.long)
result = torch.histc(x, bins=50, min=0, max=50)
""", fires=False),
    _case("bincount with weights", "torch-bincount", """
x = torch.randint(0, 100, (100000,), device=DEVICE)
result = torch.bincount(x, weights=torch.randn(100000, device=DEVICE))
"""),
    _case("bincount without weights", "torch-bincount", """
x = torch.randint(0, 100, (100000,), device=DEVICE)
result = torch.bincount(x)
""", fires=False),
    _case("median with dim", "torch-median-indices",
          "result = torch.median(torch.randint(0, 5, (64, 1001), device=DEVICE).float(), dim=1)"),
    _case("median without dim", "torch-median-indices",
          "result = torch.median(torch.randn(64, 1001, device=DEVICE))", fires=False),
    _case("cumsum float", "torch-cumsum", "result = torch.cumsum(torch.randn(1000000, device=DEVICE), dim=0)",
          named=True),
    _case("cumsum integer", "torch-cumsum", """
x = torch.randint(0, 100, (1000000,), device=DEVICE, dtype=torch.long)
result = torch.cumsum(x, dim=0, dtype=torch.long)
""", fires=False),
    _case("bmm sparse-dense", "torch-bmm", """
a = torch.randn(4, 64, 64, device=DEVICE)
result = torch.bmm((a * (a > 1.5)).to_sparse(), torch.randn(4, 64, 32, device=DEVICE))
"""),
    _case("resize_ quantized", "torch-resize-quantized", """
q = torch.quantize_per_tensor(torch.randn(64, device=DEVICE), 0.1, 0, torch.quint8)
result = q.resize_(32)
""", fires=True),
)

CASES: tuple[Case, ...] = (*_POOLING, *_RESAMPLING, *_PADDING, *_CONVOLUTIONS, *_LOSSES, *_INDEXING, *_STATISTICS)
BY_SLUG: dict[str, Case] = {case.slug: case for case in CASES}
