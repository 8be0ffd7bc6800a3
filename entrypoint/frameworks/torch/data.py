"""A torch DataLoader that shuffles and seeds its workers the same way on every run."""

from __future__ import annotations

import random
import sys

from ... import run_settings


def seed_worker(worker_id: int) -> None:
    """DataLoader `worker_init_fn`: seed `random` and NumPy in each worker from torch's per-worker seed."""
    import torch

    worker_seed = torch.initial_seed() % (run_settings.SEED_MAX + 1)  # a seed NumPy and random accept
    random.seed(worker_seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(worker_seed)


def dataloader_generator(seed: int | None = None):
    """A torch.Generator seeded with `seed` (default: MLF_SEED, else 0) for a DataLoader's shuffling and workers."""
    import torch

    generator = torch.Generator()
    generator.manual_seed(run_settings.seed() if seed is None else seed)
    return generator


def dataloader_kwargs(seed: int | None = None) -> dict:
    """`DataLoader(dataset, **dataloader_kwargs())`: a seeded generator and the worker init function."""
    return {"generator": dataloader_generator(seed), "worker_init_fn": seed_worker}
