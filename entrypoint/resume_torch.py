"""Deprecated path: the PyTorch resume adapter moved to `mlfcore.entrypoint.frameworks.torch.resume`, its framework's
folder (docs/ARCHITECTURE.md). This module re-exports it (entrypoint/deprecated.py lists every moved path) and will
be removed in a later release.
"""

from mlfcore.entrypoint.frameworks.torch.resume import *  # noqa: F401,F403
from mlfcore.entrypoint.frameworks.torch.resume import TorchResume, capture_rng, restore_rng  # noqa: F401
from mlfcore.entrypoint.deprecated import warn

warn(__name__)
