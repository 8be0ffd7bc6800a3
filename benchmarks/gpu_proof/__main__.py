"""`python -m benchmarks.gpu_proof`: see cli.py."""

import sys

from .cli import main

sys.exit(main())
