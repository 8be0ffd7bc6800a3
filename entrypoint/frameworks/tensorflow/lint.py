"""TensorFlow's and Keras' lint part: which table applies (tables/tensorflow-<major.minor>.toml; all its rules are
data) and what the engine must know of their names."""

from __future__ import annotations

from pathlib import Path

from ... import installed

FRAMEWORK = "tensorflow"
TABLES = Path(__file__).with_name("tables")

# The same object reached through other public paths; the table uses the right-hand spelling (lint/resolver.py).
ALIASES = (("tensorflow.keras.", "keras."), ("tensorflow.compat.v2.", "tensorflow."),
           ("keras.src.layers.", "keras.layers."))
# TF1 spellings the table does not list by name are the TF2 op of the same name (tf.compat.v1.math.bincount is
# tf.math.bincount): checked at that op's level (lint/checker.py).
COMPAT_PREFIXES = (("tensorflow.compat.v1.", "tensorflow."),)
# Calls that seed a global generator (the contract-clock-seed rule looks inside their arguments).
SEEDERS = frozenset({"tensorflow.random.set_seed", "keras.utils.set_random_seed"})
# TensorFlow ships under several distribution names; the first one installed gives the version.
DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly")


def installed_version() -> str | None:
    return installed.version(*DISTRIBUTIONS)
