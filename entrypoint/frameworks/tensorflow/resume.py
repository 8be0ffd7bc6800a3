"""The complete training state of a Keras 3 run: what a run resumed in the middle of an epoch needs to give the bits
of an uninterrupted one.

Keras' own `BackupAndRestore(save_freq=N)` is not enough: on restore it sets only the epoch to start from (keras
3.15.1, keras/src/callbacks/backup_and_restore.py, `_load_model` sets `model._initial_epoch`), so the interrupted
epoch replays its first batches on weights that already learned from them. This module saves, at a step's end:

- the model's weights and the optimizer's variables (its iteration count and the moments);
- the state of every `keras.random.SeedGenerator` the model's layers own (Dropout's): Keras draws its random numbers
  as stateless functions of that state (keras/src/random/seed_generator.py, `next`);
- the metric trackers' variables, so the epoch's running loss continues where it stopped;
- Python's and NumPy's global generators, the position (epoch, batches done in it) and what the loop accumulates.

The data order is the caller's, a function of (seed, epoch) alone (`epoch_order`): `fit(shuffle=True)` draws its
permutation from `tf.random.shuffle` inside a tf.data pipeline (keras/src/trainers/data_adapters/
array_data_adapter.py, `get_tf_dataset`), a stateful op whose state no checkpoint can capture. So the training fits
one epoch at a time, `shuffle=False`, on the permuted batches not done yet (`epoch_data`).

Usage (examples/keras_digits.py, beside this file, is the reference):

    resume = KerasResume(folder, model)                      # after model.compile()
    start = resume.restore()                                 # the step reached; 0 without a checkpoint
    steps = Steps(save=resume.save).start(start)
    for epoch in range(resume.position[0], epochs):
        x, y = resume.epoch_data(x_train, y_train, seed, epoch, batch_size)
        if len(x):
            model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False,
                      callbacks=[resume.callback(), keras_callback(steps)])
        if steps.stop_reason(): ... exit 143
        loss = resume.logs["loss"]

A payload is a NumPy `.npz` (no pickle) holding the variables and one JSON document with the rest.
"""

from __future__ import annotations

import json
from pathlib import Path

from ... import checkpoint, host_rng


def epoch_order(seed: int, epoch: int, count: int):
    """The permutation of `count` samples for `epoch`: NumPy's PCG64 seeded with (seed, epoch), drawn from no
    global generator, so a resumed run re-creates it exactly."""
    import numpy

    return numpy.random.default_rng([seed, epoch]).permutation(count)


def seed_generators(model) -> list:
    """Every SeedGenerator the model's layers own, in layer order (Keras tracks them in `_seed_generators`)."""
    return [generator for layer in model._flatten_layers() for generator in getattr(layer, "_seed_generators", [])]


def _variables(model) -> dict[str, list]:
    """The variables a payload holds, by group; each list in the fixed order the model gives."""
    return {"weights": list(model.weights), "optimizer": list(model.optimizer.variables),
            "seeds": [generator.state for generator in seed_generators(model)],
            "metrics": [variable for metric in model.metrics for variable in metric.variables]}


class KerasResume:
    """Save and restore a compiled Keras model's complete training state into a checkpoint folder (checkpoint.py's
    layout, one rank). `restore_rng=False` leaves the random streams as they are (a control: the bits then differ)."""

    def __init__(self, folder: Path | None, model, *, partitioning: str = "", restore_rng: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.model = model
        self.partitioning = partitioning
        self.restore_rng_streams = restore_rng
        self.position = (0, 0)  # (epoch, batches done in it) after the last step
        self.extra: dict = {}
        self.restored: dict | None = None
        self._metrics = None  # the metric trackers' values to put back when the resumed epoch begins
        self._resume_at: tuple[int, int] | None = None  # the restored position, until its epoch's data is taken

    def _payload(self, step: int) -> dict:
        arrays = {f"{group}/{index:04d}": variable.numpy()
                  for group, variables in _variables(self.model).items() for index, variable in enumerate(variables)}
        paths = {group: [variable.path for variable in variables]
                 for group, variables in _variables(self.model).items()}
        meta = {"step": step, "position": list(self.position), "extra": self.extra, "paths": paths,
                "rng": host_rng.capture()}
        return {**arrays, "meta": json.dumps(meta, sort_keys=True)}

    def save(self, step: int, stopping: str | None = None) -> None:
        """Write the payload and commit the manifest (for `Steps(save=...)`)."""
        if self.folder is None:
            return
        checkpoint.save_arrays(self.folder, step, self._payload(step), partitioning=self.partitioning,
                               extra={"position": list(self.position), "stopped": stopping})

    def restore(self) -> int:
        """Load the folder's checkpoint into the model and optimizer; the step reached, 0 when there is none."""
        found = checkpoint.load_arrays(self.folder) if self.folder is not None else None
        if found is None:
            return 0
        manifest, arrays = found
        meta = json.loads(str(arrays.pop("meta")))
        if not self.model.optimizer.built:  # its variables exist only once built (fit would build it the same way)
            self.model.optimizer.build(self.model.trainable_variables)
        current = _variables(self.model)
        groups = ("weights", "optimizer", "seeds") if self.restore_rng_streams else ("weights", "optimizer")
        for group in groups:
            self._assign(group, current[group], meta["paths"][group], arrays)
        if self.restore_rng_streams:
            host_rng.restore(meta["rng"])
        self._metrics = (meta["paths"]["metrics"], arrays)
        self.position = self._resume_at = tuple(meta["position"])
        self.extra = meta["extra"]
        self.restored = manifest
        return int(meta["step"])

    def _assign(self, group: str, variables: list, paths: list[str], arrays: dict) -> None:
        if [variable.path for variable in variables] != paths:
            raise checkpoint.InvalidCheckpoint(
                f"the checkpoint's {group} ({len(paths)} variables) do not match this model's ({len(variables)})",
                hint="resume with the model and optimizer that wrote the checkpoint, or remove it to start afresh")
        for index, variable in enumerate(variables):
            variable.assign(arrays[f"{group}/{index:04d}"])

    def epoch_data(self, x, y, seed: int, epoch: int, batch_size: int):
        """This epoch's samples in the order `epoch_order` gives, less the batches a restored checkpoint had done
        in it (possibly all of them: a stop after an epoch's last batch). Call once per epoch, before its fit."""
        skip = self._resume_at[1] if self._resume_at and self._resume_at[0] == epoch else 0
        self._resume_at = None
        self.position = (epoch, skip)
        order = epoch_order(seed, epoch, len(x))[skip * batch_size:]
        if not (skip and len(order)):
            self._metrics = None  # the restored running metrics belong to this epoch's fit, if it has one
        return x[order], y[order]

    def callback(self):
        """A Keras callback that tracks the position and the last batch's logs (the epoch's running metrics), and
        puts the metric trackers back when the resumed epoch begins (fit resets them just before `on_epoch_begin`:
        keras 3.15.1 backend/tensorflow/trainer.py, fit). List it before the step hook's callback, so a checkpoint
        sees the batch that just ended."""
        import keras

        resume = self

        class KerasPosition(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                if resume._metrics is not None:
                    paths, arrays = resume._metrics
                    resume._metrics = None
                    resume._assign("metrics", _variables(resume.model)["metrics"], paths, arrays)

            def on_train_batch_end(self, batch, logs=None):
                epoch, done = resume.position
                resume.position = (epoch, done + 1)
                resume.extra["logs"] = dict(logs or {})

        return KerasPosition()

    @property
    def logs(self) -> dict:
        """The metrics after the last batch done (Keras' running means over the epoch so far), restored too."""
        return self.extra.get("logs", {})
