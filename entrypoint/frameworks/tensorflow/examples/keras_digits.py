"""A small Keras CNN on digits with dropout: the TensorFlow image's bundled example.

With MLF_CHECKPOINT_DIR set it resumes from the checkpoint there and checkpoints when stopped (SIGTERM,
MLF_STOP_AT_STEP) through the step hook; one step is one batch. The data order of each epoch is a permutation
seeded with (seed, epoch) and each epoch is one `fit`, so a run resumed in the middle of an epoch trains on exactly
the batches the interrupted one had left (mlfcore.entrypoint.frameworks.tensorflow.resume says why fit's own shuffle cannot be
resumed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlfcore.entrypoint import checkpoint, run_settings
from mlfcore.entrypoint.examples import outputs, tracking
from mlfcore.entrypoint.frameworks.tensorflow.resume import KerasResume
from mlfcore.entrypoint.frameworks.tensorflow.steps import keras_callback
from mlfcore.entrypoint.steps import EXIT_PREEMPTED, Steps


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


def train(output: Path, epochs: int = 3, batch_size: int = 64, restore_rng: bool = True) -> list[dict] | None:
    """Train and write the outputs; None when the step hook stopped the training (after its checkpoint)."""
    import keras

    seed = run_settings.seed()
    x_train, y_train, x_test, y_test = outputs.digits()
    x_train, x_test = x_train[..., None], x_test[..., None]
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    resume = KerasResume(checkpoint.folder_from_environment(), model, restore_rng=restore_rng,
                         partitioning=f"all rows, permuted per epoch by PCG64(seed={seed}, epoch)")
    steps = Steps(save=resume.save).start(resume.restore())
    history = resume.extra.setdefault("history", [])
    for epoch in range(resume.position[0], epochs):
        x, y = resume.epoch_data(x_train, y_train, seed, epoch, batch_size)
        if len(x):  # none left when the checkpoint came after the epoch's last batch
            model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                      callbacks=[resume.callback(), keras_callback(steps)])
        if steps.stop_reason() is not None:
            steps.close()
            return None
        predicted = model.predict(x_test, batch_size=256, verbose=0).argmax(axis=1)
        history.append({"epoch": epoch, "loss": float(resume.logs["loss"]),
                        "accuracy": float((predicted == y_test).mean())})
        tracking.log_epoch(history[-1])
    steps.close()
    outputs.prepare(output)
    outputs.save_tensors(output, ((w.path, w.numpy()) for w in model.weights))
    outputs.save_metrics(output, history)
    outputs.save_event_files(output, history)
    tracking.log_model("keras", model, x_test[:5], ("keras", "tensorflow", "tensorflow-cpu"),
                       predict=lambda inputs: model.predict(inputs, verbose=0))
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--no-restore-rng", action="store_true",
                        help="resume without restoring the random streams (shows that they matter: the bits differ)")
    args = parser.parse_args(argv)
    history = outputs.train_or_exit(train, output=args.output, epochs=args.epochs,
                                    restore_rng=not args.no_restore_rng)
    if history is None:
        sys.exit(EXIT_PREEMPTED)
    for row in history:
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
