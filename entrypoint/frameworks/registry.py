"""THE registry: the frameworks mlf knows, one line each, in the order their parts are applied and listed.

A framework is one folder beside this file, named as here (docs/ARCHITECTURE.md, "Adding a framework"). Generic
code reaches a framework only through mlfcore.entrypoint.frameworks, which reads this tuple.

Imports nothing: the child bootstrap reads this file by path, in interpreters that cannot import mlfcore.
"""

NAMES = (
    "torch",
    "tensorflow",
    "xgboost",
    "jax",
)
