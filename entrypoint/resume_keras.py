"""Deprecated path: the Keras resume adapter moved to `mlfcore.entrypoint.frameworks.tensorflow.resume`, its
framework's folder (docs/ARCHITECTURE.md). This module re-exports it (entrypoint/deprecated.py lists every moved
path) and will be removed in a later release.
"""

from mlfcore.entrypoint.frameworks.tensorflow.resume import *  # noqa: F401,F403
from mlfcore.entrypoint.frameworks.tensorflow.resume import KerasResume, epoch_order, seed_generators  # noqa: F401
from mlfcore.entrypoint.deprecated import warn

warn(__name__)
