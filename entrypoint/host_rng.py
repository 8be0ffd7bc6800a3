"""The process-wide random streams every framework's resume saves: Python's `random` and NumPy's global generator,
as plain values (lists, ints, floats) that JSON and `torch.load(weights_only=True)` both accept."""

from __future__ import annotations

import random
import sys


def _numpy_state() -> dict | None:
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None  # never imported: nothing drew from it
    name, keys, pos, has_gauss, cached = numpy.random.get_state()
    return {"name": name, "keys": keys.tolist(), "pos": int(pos), "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached)}


def _set_numpy_state(state: dict | None) -> None:
    if state is None:
        return
    import numpy

    numpy.random.set_state((state["name"], numpy.array(state["keys"], dtype=numpy.uint32), state["pos"],
                            state["has_gauss"], state["cached_gaussian"]))


def capture() -> dict:
    version, internal, gauss = random.getstate()
    return {"python": [version, list(internal), gauss], "numpy": _numpy_state()}


def restore(state: dict) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    _set_numpy_state(state["numpy"])
