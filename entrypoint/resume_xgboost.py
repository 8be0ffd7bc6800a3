"""Deprecated path: the XGBoost resume adapter moved to `mlfcore.entrypoint.frameworks.xgboost.resume`, its framework's
folder (docs/ARCHITECTURE.md). This module re-exports it (entrypoint/deprecated.py lists every moved path) and will
be removed in a later release.
"""

from mlfcore.entrypoint.frameworks.xgboost.resume import *  # noqa: F401,F403
from mlfcore.entrypoint.frameworks.xgboost.resume import XGBoostResume, round_seed  # noqa: F401
from mlfcore.entrypoint.deprecated import warn

warn(__name__)
