"""mlfcore.entrypoint: the runtime of mlfcore — the determinism contract, its enforcement and the `mlf` CLI.

Public API for code that does not go through `mlf run`:

- `apply_contract(seed=None, threads=None, portable=True)` applies the contract in-process and reports what could
  not take effect there;
- `seed_worker` and `dataloader_generator` / `dataloader_kwargs` make a torch DataLoader reproducible.

Attributes load on first use: `mlf run` starts a child for every training, and importing importlib.metadata for
`__version__` alone cost 54 ms of its start-up (measured with `python -X importtime`).
"""

_API = ("AppliedContract", "apply_contract", "dataloader_generator", "dataloader_kwargs", "seed_worker")
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mlfcore")
        except PackageNotFoundError:  # a source tree that was not installed
            return "0.0.0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
