"""Byte-stable output writing shared by the examples."""

from __future__ import annotations

import json
from pathlib import Path


def prepare(output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    return output


def save_tensors(output: Path, named_arrays) -> None:
    """One .npy file per parameter: the header and the raw bytes, nothing time- or host-dependent (unlike .npz/.pt)."""
    import numpy as np

    folder = output / "tensors"
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in named_arrays:
        np.save(folder / f"{name.replace('/', '.')}.npy", np.ascontiguousarray(array), allow_pickle=False)


def save_metrics(output: Path, history: list[dict]) -> None:
    (output / "metrics.json").write_text(json.dumps({"epochs": history}, indent=2, sort_keys=True) + "\n")


# The examples' TensorBoard event files, in the output folder: fingerprinted by their records (tag, step, value),
# not their bytes, which hold wall-clock times and the host name (mlfcore.entrypoint.train.formats).
TENSORBOARD = "tensorboard"


def save_event_files(output: Path, history: list[dict]) -> Path:
    """The history as TensorBoard scalars (one point per epoch for each metric) in output/tensorboard.

    Written once, after training, from the history the checkpoints carry: a run resumed after a preemption then
    writes the same records as an uninterrupted one. Logged live, the epochs between the last checkpoint and the
    signal would be logged twice, once by each attempt. mlfcore's own writer needs neither TensorBoard nor
    TensorFlow (torch.utils.tensorboard imports TensorFlow where it is installed: 5.3 s measured in the test venv)."""
    from mlfcore.entrypoint.tensorboard.eventfile import ScalarWriter

    folder = output / TENSORBOARD
    with ScalarWriter(folder) as writer:
        for row in history:
            for key, value in row.items():
                if key != "epoch":
                    writer.add_scalar(key, float(value), int(row["epoch"]))
    return folder


def digits(test_fraction: float = 0.25):
    """scikit-learn's digits, scaled to [0, 1], split in a fixed order (no shuffling RNG involved)."""
    import numpy as np
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    cut = int(len(x) * (1 - test_fraction))
    return x[:cut], y[:cut], x[cut:], y[cut:]


def train_or_exit(train, **kwargs):
    """`train(**kwargs)`; when it raises mlf's error for a checkpoint from another environment (exit 3) or a damaged
    one (exit 2), say so on stderr as mlf does and end the process with that exit code."""
    import sys

    from mlfcore.entrypoint.errors import MlfError

    try:
        return train(**kwargs)
    except MlfError as failure:
        print(f"error: {failure.message}" + (f" ({failure.hint})" if failure.hint else ""), file=sys.stderr)
        sys.exit(failure.exit_code)
