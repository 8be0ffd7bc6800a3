"""mlfcore.entrypoint: the runtime of mlfcore — the determinism contract, its enforcement and the `mlf` CLI.

Public API for code that does not go through `mlf run`:

- `apply_contract(seed=None, threads=None, portable=True)` applies the contract in-process and reports what could
  not take effect there;
- `seed_worker` and `dataloader_generator` / `dataloader_kwargs` make a torch DataLoader reproducible.

Attributes load on first use: `mlf run` starts a child for every training, and importing importlib.metadata for
`__version__` alone cost 54 ms of its start-up (measured with `python -X importtime`).
"""

# name → the module that defines it (torch's DataLoader helpers live with torch: frameworks/torch/data.py).
_API = {"AppliedContract": ".api", "apply_contract": ".api", "dataloader_generator": ".frameworks.torch.data",
        "dataloader_kwargs": ".frameworks.torch.data", "seed_worker": ".frameworks.torch.data"}
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(_API[name], __name__), name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mlfcore")
        except PackageNotFoundError:  # a source tree that was not installed
            return "0.0.0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
