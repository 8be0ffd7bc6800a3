"""A small Keras CNN on digits with dropout: the TensorFlow image's bundled example."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint.examples import outputs, tracking


def build_model():
    import keras

    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.25),
        keras.layers.Dense(10, activation="softmax"),
    ])


def train(output: Path, epochs: int = 3, batch_size: int = 64) -> list[dict]:
    import keras

    x_train, y_train, x_test, y_test = outputs.digits()
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    fit = model.fit(x_train[..., None], y_train, batch_size=batch_size, epochs=epochs, shuffle=True,
                    validation_data=(x_test[..., None], y_test), verbose=0)
    history = [{"epoch": epoch, "loss": float(fit.history["loss"][epoch]),
                "accuracy": float(fit.history["val_accuracy"][epoch])} for epoch in range(epochs)]
    outputs.prepare(output)
    outputs.save_tensors(output, ((w.path, w.numpy()) for w in model.weights))
    outputs.save_metrics(output, history)
    for row in history:
        tracking.log_epoch(row)
    tracking.log_model("keras", model, x_test[:5, ..., None], ("keras", "tensorflow", "tensorflow-cpu"))
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)
    for row in train(args.output, epochs=args.epochs):
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
