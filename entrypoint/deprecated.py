"""Documented import paths that moved: each old module stays as a re-export of the new one and warns once when
imported (or run with `python -m`), until a later release removes it. MOVED is the one list of them; a test imports
each old path and checks it re-exports the new one's names."""

from __future__ import annotations

import warnings

MOVED = {
    "mlfcore.entrypoint.resume_torch": "mlfcore.entrypoint.frameworks.torch.resume",
    "mlfcore.entrypoint.resume_keras": "mlfcore.entrypoint.frameworks.tensorflow.resume",
    "mlfcore.entrypoint.resume_xgboost": "mlfcore.entrypoint.frameworks.xgboost.resume",
    "mlfcore.entrypoint.torchrun": "mlfcore.entrypoint.frameworks.torch.launch",
    # the bundled examples: also `python -m` of the old path, as recorded runs' commands start them
    "mlfcore.entrypoint.examples.pytorch_digits": "mlfcore.entrypoint.frameworks.torch.examples.pytorch_digits",
    "mlfcore.entrypoint.examples.unet_segmentation": "mlfcore.entrypoint.frameworks.torch.examples.unet_segmentation",
    "mlfcore.entrypoint.examples.keras_digits": "mlfcore.entrypoint.frameworks.tensorflow.examples.keras_digits",
    "mlfcore.entrypoint.examples.xgboost_digits": "mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_digits",
    "mlfcore.entrypoint.examples.xgboost_collective":
        "mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_collective",
}


def warn(old: str, *, run: bool = False) -> None:
    """The deprecation warning of `old` (a key of MOVED), pointing at its new path; `run` for `python -m old`."""
    new = MOVED[old]
    message = f"`python -m {old}` is deprecated: run `python -m {new}`" if run else \
        f"{old} is deprecated: import {new}"
    warnings.warn(message, DeprecationWarning, stacklevel=3)
