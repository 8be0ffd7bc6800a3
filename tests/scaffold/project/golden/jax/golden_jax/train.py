"""Train the model: `python -m golden_jax.train --output DIR --epochs N` (MLproject's entry point)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import apply_contract
from mlfcore.entrypoint.tensorboard import ScalarWriter
from mlfcore.entrypoint.frameworks.jax.keys import run_key

from . import data, model, outputs


def train(output: Path, epochs: int = 2, batch_size: int = 64) -> list[dict]:
    # XLA's thread count and flags and the PRNG, before JAX starts a backend (idempotent under `mlf`).
    apply_contract()
    import jax
    import numpy as np
    import optax

    x_train, y_train, x_test, y_test = data.load()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    # Every key is a function of the run's seed and a counter: the weights (0), each epoch's order (1, epoch) and
    # each step's dropout (2, step).
    base = run_key()
    params = model.init(jax.random.fold_in(base, 0))
    optimiser = optax.adam(1e-2)
    opt_state = optimiser.init(params)

    def loss(params, x, y, key):
        return optax.softmax_cross_entropy_with_integer_labels(model.forward(params, x, key), y).mean()

    @jax.jit
    def update(params, opt_state, x, y, key):
        value, grads = jax.value_and_grad(loss)(params, x, y, key)
        changes, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, changes), opt_state, value

    # TensorBoard's event files in the output folder: mlf fingerprints their records (tag, step, value), not the
    # wall-clock times they also hold, and `mlf tensorboard` opens them.
    writer = ScalarWriter(output / "tensorboard")
    history, step = [], 0
    for epoch in range(epochs):
        order = np.asarray(jax.random.permutation(jax.random.fold_in(jax.random.fold_in(base, 1), epoch),
                                                  len(x_train)))
        total = 0.0
        for begin in range(0, len(order), batch_size):
            rows = order[begin:begin + batch_size]
            key = jax.random.fold_in(jax.random.fold_in(base, 2), step)
            params, opt_state, value = update(params, opt_state, x_train[rows], y_train[rows], key)
            total += float(value) * len(rows)
            step += 1
        predicted = np.asarray(model.forward(params, x_test)).argmax(axis=1)
        history.append({"epoch": epoch, "loss": total / len(x_train),
                        "accuracy": float((predicted == y_test).mean())})
        outputs.log_epoch(history[-1])
        writer.add_scalar("loss", history[-1]["loss"], epoch)
        writer.add_scalar("accuracy", history[-1]["accuracy"], epoch)
    writer.close()
    outputs.save_tensors(output, ((f"{index}.{name}", np.asarray(value)) for index, layer in enumerate(params)
                                  for name, value in sorted(layer.items())))
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
