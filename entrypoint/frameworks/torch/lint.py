"""PyTorch's lint part: which table applies, what the engine must know of torch's names, and the two lists in
torch's own `use_deterministic_algorithms` docstring.

The table (tables/torch-<major.minor>.toml) mirrors the docstring bullet for bullet; tests compare the two on
the installed torch, so a pin bump shows exactly which bullets appeared, disappeared or moved between the lists
(e.g. `cumsum` on CUDA still raises in 2.13 and became deterministic later). tables/contract.toml holds the code
that switches torch's contract entries off (cuDNN benchmark, deterministic algorithms, TF32, Lightning's flags).
"""

from __future__ import annotations

import re
from pathlib import Path

from ... import installed

FRAMEWORK = "torch"
TABLES = Path(__file__).with_name("tables")

# The same object reached through another public path; the table uses the right-hand spelling (lint/resolver.py).
ALIASES = (("torch.functional.", "torch."),)
# Calls that seed a global or new generator (the contract-clock-seed rule looks inside their arguments).
SEEDERS = frozenset({"torch.manual_seed", "torch.cuda.manual_seed", "torch.cuda.manual_seed_all",
                     "torch.random.manual_seed", "lightning.seed_everything", "lightning.pytorch.seed_everything",
                     "pytorch_lightning.seed_everything", "accelerate.utils.set_seed",
                     "accelerate.utils.random.set_seed", "monai.utils.set_determinism",
                     "monai.utils.misc.set_determinism"})
# Launchers whose target script is the real entry point (lint/scope.py): programs, and modules run with -m.
LAUNCHERS = frozenset({"torchrun", "accelerate"})
LAUNCHER_MODULES = frozenset({"torch.distributed.run", "torch.distributed.launch", "accelerate.commands.launch"})

# What torch code states about its tensors (lint/facts.py reads these): integer dtypes, the calls whose `dtype=`
# sets one, the regions where autograd records nothing (torch/autograd/grad_mode.py), and the array libraries whose
# values are never torch tensors.
INTEGER_DTYPES = frozenset({"torch.int8", "torch.int16", "torch.int32", "torch.int64", "torch.uint8", "torch.int",
                            "torch.long", "torch.short", "torch.bool"})
DTYPE_MODULES = frozenset({"torch"})
NO_GRAD = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
                     "torch.autograd.grad_mode.no_grad", "torch.autograd.inference_mode",
                     "torch.autograd.grad_mode.inference_mode"})
SET_GRAD_ENABLED = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled",
                              "torch.autograd.grad_mode.set_grad_enabled"})
NON_TENSOR_MODULES = frozenset({"jax"})
# Calls whose result is a quantized tensor (torch/_C/_VariableFunctions.pyi, 2.13): the `quantized` fact that
# torch-resize-quantized needs (resize_ of a quantized tensor alerts under the switch; `.dequantize()` ends it).
QUANTIZERS = frozenset({"torch.quantize_per_tensor", "torch.quantize_per_channel", "torch.quantize_per_tensor_dynamic",
                        "torch._empty_affine_quantized", "torch._empty_per_channel_affine_quantized"})

# The docstring's two list headings (torch 2.x wording) and the list each one starts.
_HEADINGS = (
    (re.compile(r"will act\s+deterministically when ``mode=True``"), "deterministic"),
    (re.compile(r"will throw a\s+:class:`RuntimeError` when ``mode=True``"), "raises"),
)


def installed_version() -> str | None:
    """The installed torch's version, from its dist-info folder (importing torch takes seconds)."""
    return installed.version("torch")


def documented_ops(doc: str) -> set[tuple[str, str]]:
    """(list, bullet text with whitespace collapsed) for every bullet of the docstring's two lists."""
    found: set[tuple[str, str]] = set()
    for pattern, name in _HEADINGS:
        heading = pattern.search(doc)
        if heading is None:
            continue
        bullets: list[list[str]] = []
        indent = None
        for line in doc[heading.end():].splitlines()[1:]:
            stripped = line.strip()
            if not stripped:
                continue
            depth = len(line) - len(line.lstrip())
            if indent is None and stripped.startswith("* "):
                indent = depth
            if indent is None or depth < indent or (depth == indent and not stripped.startswith("* ")):
                break  # the first line back at the text's own indentation ends the list
            if depth == indent:
                bullets.append([stripped[2:]])
            else:
                bullets[-1].append(stripped)
        found.update((name, " ".join(" ".join(b).split())) for b in bullets)
    return found


def compare(doc: str, rules) -> dict[str, list[str]]:
    """What differs between a torch docstring and a rule table: bullets the table lacks (`new`), bullets the
    docstring no longer has (`gone`), and bullets that changed list (`moved`, e.g. cumsum from raises to
    deterministic). Empty lists mean the table mirrors the docstring exactly."""
    documented = documented_ops(doc)
    tabled = {(entry.list, entry.text) for rule in rules for entry in rule.docs}
    moved = sorted(text for _, text in documented - tabled if any(t == text for _, t in tabled - documented))
    return {
        "new": sorted(f"{kind}: {text}" for kind, text in documented - tabled if text not in moved),
        "gone": sorted(f"{kind}: {text}" for kind, text in tabled - documented if text not in moved),
        "moved": [f"{next(k for k, t in tabled if t == text)} -> {next(k for k, t in documented if t == text)}: "
                  f"{text}" for text in moved],
    }
