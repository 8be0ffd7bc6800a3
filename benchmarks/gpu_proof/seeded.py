"""A bundled example trained with the contract's seeds and nothing else of it: the contract off, seeds kept.

    python -m benchmarks.gpu_proof.seeded EXAMPLE --output DIR [the example's own options]

Python's `random`, NumPy's global generator and torch's (CPU and every CUDA device) start from the contract's
default seed, as the contract's seed entries do; PYTHONHASHSEED is the parent's to set. No switch is touched:
torch's defaults stand (non-deterministic algorithms allowed, cuDNN free to pick any algorithm), which is what a
user who only seeds gets. Two such runs differ exactly where those defaults make the bits vary.
"""

from __future__ import annotations

import importlib
import sys

from .examples import EXAMPLES


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in EXAMPLES:
        print(f"usage: python -m benchmarks.gpu_proof.seeded {{{','.join(EXAMPLES)}}} --output DIR [...]",
              file=sys.stderr)
        return 2
    import random

    import numpy
    import torch

    from mlfcore.entrypoint import contract, frameworks

    random.seed(contract.DEFAULT_SEED)
    numpy.random.seed(contract.DEFAULT_SEED)
    torch.manual_seed(contract.DEFAULT_SEED)
    importlib.import_module(frameworks.example_module(*frameworks.examples()[argv[0]])).main(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
