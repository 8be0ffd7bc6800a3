"""Train the model: `python -m golden_base.train --output DIR --epochs N` (MLproject's entry point)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import apply_contract
from mlfcore.entrypoint.tensorboard import ScalarWriter

from . import data, model, outputs


def train(output: Path, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.1) -> list[dict]:
    applied = apply_contract()
    import numpy as np

    # One generator from the run's seed draws the initial weights and every epoch's shuffle.
    rng = np.random.default_rng(applied.seed)
    x_train, y_train, x_test, y_test = data.load()
    params = model.init(x_train.shape[1], rng)
    # TensorBoard's event files in the output folder: mlf fingerprints their records (tag, step, value), not the
    # wall-clock times they also hold, and `mlf tensorboard` opens them.
    writer = ScalarWriter(output / "tensorboard")
    history = []
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))
        losses = [model.step(params, x_train[batch], y_train[batch], learning_rate)
                  for batch in np.array_split(order, max(1, len(order) // batch_size))]
        accuracy = float(((model.predict(params, x_test) > 0.5) == y_test).mean())
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "accuracy": accuracy})
        outputs.log_epoch(history[-1])
        writer.add_scalar("loss", history[-1]["loss"], epoch)
        writer.add_scalar("accuracy", history[-1]["accuracy"], epoch)
    writer.close()
    outputs.save_tensors(output, sorted(params.items()))
    outputs.save_metrics(output, history)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)
    for row in train(args.output, epochs=args.epochs):
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
