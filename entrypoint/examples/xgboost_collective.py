"""Deprecated path: the bundled example xgboost_collective moved to
`mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_collective`, its framework's folder (docs/ARCHITECTURE.md).
This module re-exports it (entrypoint/deprecated.py lists every moved path) and will be removed in a later release.
"""

from mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_collective import *  # noqa: F401,F403
from mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_collective import (  # noqa: F401
    PARAMS, main, partitioning, train)
from mlfcore.entrypoint.deprecated import warn

if __name__ == "__main__":  # `python -m` of the old path, as recorded runs and older docs start it
    warn(__spec__.name, run=True)
    main()
else:
    warn(__name__)
