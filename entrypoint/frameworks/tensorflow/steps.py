"""The step hook in Keras' `fit`: one batch is one step."""

from __future__ import annotations

from ...steps import Steps


def keras_callback(steps: Steps):
    """A Keras callback: one batch of `fit` is one step; a stop sets `model.stop_training` (Keras ends the epoch
    loop through it) and the caller checks `steps.stop_reason()` after `fit` returns."""
    import keras

    class KerasSteps(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if steps.done(raise_on_stop=False):
                self.model.stop_training = True

    return KerasSteps()
