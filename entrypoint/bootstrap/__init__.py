"""The child-process bootstrap of `mlf run`.

This folder is put first on the child's PYTHONPATH, so its `sitecustomize.py` runs at interpreter start, before any
user code. `_mlf_hooks.py` seeds Python's `random` at once and applies the framework parts of the contract right after
a framework is first imported, so a program that never imports torch never pays for it. Both modules import nothing
from mlfcore: the child may be another interpreter than the one mlf runs in.
"""

from pathlib import Path

BOOTSTRAP_DIR = Path(__file__).resolve().parent
