"""Train the model: `python -m golden_xgboost.train --output DIR --rounds N` (MLproject's entry point)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import apply_contract

from . import data, model, outputs


def train(output: Path, rounds: int = 20) -> list[dict]:
    # Seeds and thread counts (XGBoost's seed and nthread included), before the model is built.
    apply_contract()
    x_train, y_train, x_test, y_test = data.load()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    booster = model.build(rounds)
    booster.fit(x_train, y_train, eval_set=[(x_test, y_test)], verbose=False)
    losses = booster.evals_result()["validation_0"]["mlogloss"]
    history = [{"epoch": i, "loss": float(loss)} for i, loss in enumerate(losses)]
    history[-1]["accuracy"] = float((booster.predict(x_test) == y_test).mean())
    for row in history:
        outputs.log_epoch(row)
    output.mkdir(parents=True, exist_ok=True)
    (output / "model.json").write_bytes(bytes(booster.get_booster().save_raw("json")))
    outputs.save_metrics(output, history)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    history = train(args.output, rounds=args.rounds)
    print(f"{len(history)} rounds: loss {history[-1]['loss']:.4f} accuracy {history[-1]['accuracy']:.4f}",
          flush=True)


if __name__ == "__main__":
    main()
