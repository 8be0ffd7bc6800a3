"""TensorFlow and Keras: which table applies (lint/data/tensorflow-<major.minor>.toml). All its rules are data."""

from __future__ import annotations

from .. import installed

FRAMEWORK = "tensorflow"
# TensorFlow ships under several distribution names; the first one installed gives the version.
DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly")


def installed_version() -> str | None:
    return installed.version(*DISTRIBUTIONS)
