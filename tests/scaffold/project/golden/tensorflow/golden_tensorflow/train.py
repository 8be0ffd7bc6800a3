"""Train the model: `python -m golden_tensorflow.train --output DIR --epochs N` (MLproject's entry point)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import apply_contract

from . import data, model, outputs


def train(output: Path, epochs: int = 2, batch_size: int = 64) -> list[dict]:
    # Seeds, op determinism and thread counts, before TensorFlow builds anything (idempotent under `mlf`).
    apply_contract()
    import keras

    x_train, y_train, x_test, y_test = data.load()
    net = model.build()
    net.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # TensorBoard's event files in the output folder: mlf fingerprints their records (tag, step, value), not the
    # wall-clock times they also hold, and `mlf tensorboard` opens them.
    tensorboard = keras.callbacks.TensorBoard(log_dir=str(output / "tensorboard"))
    fit = net.fit(x_train[..., None], y_train, batch_size=batch_size, epochs=epochs, shuffle=True,
                  validation_data=(x_test[..., None], y_test), verbose=0, callbacks=[tensorboard])
    history = [{"epoch": epoch, "loss": float(fit.history["loss"][epoch]),
                "accuracy": float(fit.history["val_accuracy"][epoch])} for epoch in range(epochs)]
    for row in history:
        outputs.log_epoch(row)
    outputs.save_tensors(output, ((weight.path, weight.numpy()) for weight in net.weights))
    outputs.save_metrics(output, history)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    for row in train(args.output, epochs=args.epochs):
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
