"""Smoke test: one short training writes the outputs `mlf` fingerprints, with finite numbers."""

import json
import math

from golden_xgboost import train


def test_training_writes_tensors_and_metrics(tmp_path):
    history = train.train(tmp_path, rounds=1)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["epochs"] == history
    assert all(math.isfinite(row["loss"]) for row in history)
    assert any(tmp_path.rglob("*.npy")) or (tmp_path / "model.json").is_file()
