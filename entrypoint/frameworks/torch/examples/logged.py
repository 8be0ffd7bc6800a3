"""How the torch examples log their model to MLflow (the logging itself: entrypoint/examples/tracking.py)."""

from __future__ import annotations

# MLflow 3.17 saves torch models as 'pt2' (a traced graph) by default, which needs an input example and, traced on
# one batch size, refused another at predict time (measured: "Guard failed: input.size()[0] == 1"). The pickled
# module serves any batch size.
OPTIONS = {"serialization_format": "pickle"}


def predict(model):
    """The model's outputs for a NumPy batch, as NumPy (for the logged signature)."""
    import torch

    def run(inputs):
        model.eval()
        with torch.no_grad():
            return model(torch.from_numpy(inputs)).numpy()

    return run
