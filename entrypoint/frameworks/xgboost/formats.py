"""XGBoost's UBJSON model (`.ubj`, its default format since 2.1) as the result fingerprint reads it
(train/formats.py): loaded with XGBoost and written as JSON, then as canonical JSON like any JSON document; the
bytes when XGBoost is not installed or cannot load it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ...train.artifacts import document, file


def ubj(name: str, path: Path) -> Iterator:
    try:
        import xgboost
    except ImportError:
        yield file(name, path)
        return
    try:
        booster = xgboost.Booster(model_file=str(path))
    except xgboost.core.XGBoostError:
        yield file(name, path)
        return
    yield document(name, json.loads(bytes(booster.save_raw("json"))))


# suffix → (reader, the fingerprint algorithm that first read it so, the tensor loader: none, it holds no tensors)
READERS = {".ubj": (ubj, 2, None)}
