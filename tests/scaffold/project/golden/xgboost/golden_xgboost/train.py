"""Train the model: `python -m golden_xgboost.train --output DIR --rounds N` (MLproject's entry point)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import apply_contract
from mlfcore.entrypoint.tensorboard import ScalarWriter

from . import data, model, outputs


def eval_scalars(writer: ScalarWriter):
    """An XGBoost callback writing each round's evaluation metrics as TensorBoard scalars ("validation_0/mlogloss")."""
    import xgboost

    class EvalScalars(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            for data_name, metrics in evals_log.items():
                for metric, values in metrics.items():
                    writer.add_scalar(f"{data_name}/{metric}", float(values[-1]), epoch)
            return False  # never stops the training

    return EvalScalars()


def train(output: Path, rounds: int = 20) -> list[dict]:
    # Seeds and thread counts (XGBoost's seed and nthread included), before the model is built.
    apply_contract()
    x_train, y_train, x_test, y_test = data.load()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    # TensorBoard's event files in the output folder: mlf fingerprints their records (tag, step, value), not the
    # wall-clock times they also hold, and `mlf tensorboard` opens them.
    writer = ScalarWriter(output / "tensorboard")
    booster = model.build(rounds)
    booster.set_params(callbacks=[eval_scalars(writer)])
    booster.fit(x_train, y_train, eval_set=[(x_test, y_test)], verbose=False)
    losses = booster.evals_result()["validation_0"]["mlogloss"]
    history = [{"epoch": i, "loss": float(loss)} for i, loss in enumerate(losses)]
    history[-1]["accuracy"] = float((booster.predict(x_test) == y_test).mean())
    writer.close()
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
