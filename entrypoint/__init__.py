"""mlfcore.entrypoint: the runtime of mlfcore — the determinism contract, its enforcement and the `mlf` CLI.

Public API for code that does not go through `mlf run`:

- `apply_contract(seed=None, threads=None, portable=True)` applies the contract in-process and reports what could
  not take effect there;
- `seed_worker` and `dataloader_generator` / `dataloader_kwargs` make a torch DataLoader reproducible.
"""

from importlib.metadata import PackageNotFoundError, version

from .api import AppliedContract, apply_contract, dataloader_generator, dataloader_kwargs, seed_worker

try:
    __version__ = version("mlfcore")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["AppliedContract", "apply_contract", "dataloader_generator", "dataloader_kwargs", "seed_worker",
           "__version__"]
