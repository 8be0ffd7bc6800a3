"""A small JAX network on digits with dropout, trained with optax's Adam: the JAX image's bundled example.

Every random number is drawn from a key that is a function of the run's seed and a counter (keys.run_key and
`jax.random.fold_in`): the initial weights from (seed, 0, layer), each epoch's data order from (seed, 1, epoch), each
step's dropout from (seed, 2, step). With MLF_CHECKPOINT_DIR set it resumes from the checkpoint there and checkpoints
when stopped (SIGTERM, MLF_STOP_AT_STEP) through the step hook; one step is one optimizer update, so a resumed run
re-creates the keys of the steps it has left and gives the bits of an uninterrupted one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import checkpoint
from mlfcore.entrypoint.examples import outputs, tracking
from mlfcore.entrypoint.frameworks.jax.keys import run_key
from mlfcore.entrypoint.frameworks.jax.resume import JaxResume
from mlfcore.entrypoint.steps import Steps

# 1024 units: wide enough that XLA:CPU splits the matmuls by thread and picks platform-dependent kernels, so the
# contract's pins decide this example's bits (measured: 1 and 2 threads, and platform-dependent math on and off,
# give other bits at this width; at 128 units they did not).
SIZES = (64, 1024, 1024, 10)
KEEP = 0.75  # dropout keeps three units in four
INIT, ORDER, DROPOUT = 0, 1, 2  # the counters the keys are folded with


def init(key) -> list[dict]:
    """He-initialised dense layers, one key per layer."""
    import jax
    import jax.numpy as jnp

    return [{"w": jax.random.normal(jax.random.fold_in(key, index), (inputs, units)) * jnp.sqrt(2.0 / inputs),
             "b": jnp.zeros(units)}
            for index, (inputs, units) in enumerate(zip(SIZES[:-1], SIZES[1:]))]


def forward(params, x, key=None):
    """Logits; with a key, dropout after each hidden layer (training)."""
    import jax
    import jax.numpy as jnp

    for index, layer in enumerate(params[:-1]):
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
        if key is not None:
            keep = jax.random.bernoulli(jax.random.fold_in(key, index), KEEP, x.shape)
            x = jnp.where(keep, x / KEEP, 0.0)
    return x @ params[-1]["w"] + params[-1]["b"]


def _update(optimiser):
    import jax
    import optax

    def loss(params, x, y, key):
        return optax.softmax_cross_entropy_with_integer_labels(forward(params, x, key), y).mean()

    @jax.jit
    def update(params, opt_state, x, y, key):
        value, grads = jax.value_and_grad(loss)(params, x, y, key)
        changes, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, changes), opt_state, value

    return update


def train(output: Path, epochs: int = 3, batch_size: int = 64) -> list[dict]:
    """Train and write the outputs; the step hook ends the process (exit 143) after its checkpoint when stopped."""
    import jax
    import numpy as np
    import optax

    x_train, y_train, x_test, y_test = outputs.digits()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    base = run_key()
    optimiser = optax.adam(1e-2)
    params = init(jax.random.fold_in(base, INIT))
    resume = JaxResume(checkpoint.folder_from_environment(),
                       partitioning="all rows, permuted per epoch by threefry(seed, 1, epoch)")
    start = resume.restore(params=params, opt_state=optimiser.init(params))
    params, opt_state = resume.state["params"], resume.state["opt_state"]
    steps = Steps(save=resume.save).start(start)
    update = _update(optimiser)
    history = list(resume.extra.get("history", []))
    first_epoch, skip = resume.position if start else (0, 0)
    for epoch in range(first_epoch, epochs):
        order = np.asarray(jax.random.permutation(jax.random.fold_in(jax.random.fold_in(base, ORDER), epoch),
                                                  len(x_train)))
        total = resume.extra.get("total", 0.0) if skip else 0.0
        for batch, begin in enumerate(range(0, len(order), batch_size)):
            if batch < skip:
                continue  # done before the checkpoint
            rows = order[begin:begin + batch_size]
            key = jax.random.fold_in(jax.random.fold_in(base, DROPOUT), steps.step)
            params, opt_state, loss = update(params, opt_state, x_train[rows], y_train[rows], key)
            total += float(loss) * len(rows)
            resume.state = {"params": params, "opt_state": opt_state}
            resume.position, resume.extra = (epoch, batch + 1), {"history": history, "total": total}
            steps.done()
        skip = 0
        steps.boundary()  # a signal after the epoch's last step: its checkpoint comes before the evaluation
        predicted = np.asarray(forward(params, x_test)).argmax(axis=1)
        history.append({"epoch": epoch, "loss": total / len(x_train),
                        "accuracy": float((predicted == y_test).mean())})
        tracking.log_epoch(history[-1])
    steps.close()
    outputs.prepare(output)
    outputs.save_tensors(output, ((f"{index}.{name}", np.asarray(value)) for index, layer in enumerate(params)
                                  for name, value in sorted(layer.items())))
    outputs.save_metrics(output, history)
    outputs.save_event_files(output, history)
    if tracking.active():
        tracking.log_model("pyfunc", None, x_test[:5], ("jax", "jaxlib", "optax"),
                           predict=lambda x: np.asarray(forward(params, x)),
                           options={"python_model": _pyfunc(jax.tree_util.tree_map(np.asarray, params))})
    return history


def _pyfunc(params):
    """The trained network as an MLflow pyfunc model (MLflow has no JAX flavour): logits for a batch of images."""
    import mlflow

    class Classifier(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            import numpy as np

            return np.asarray(forward(weights, np.asarray(model_input, dtype=np.float32)))

    weights = params
    return Classifier()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)
    history = outputs.train_or_exit(train, output=args.output, epochs=args.epochs)
    for row in history:
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
