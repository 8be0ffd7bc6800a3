"""The complete training state of a PyTorch run, per rank: what a resumed run needs to give the same bits.

Model, optimizer, scheduler and AMP scaler state dicts; every random stream — Python's `random`, NumPy's global
generator, torch's CPU generator and each CUDA device's, and the DataLoader's generator as it was when the epoch's
iterator was created —; the position (epoch and batch within it) and whatever the loop accumulates (`extra`).
Payloads hold only tensors and plain Python values, so they load with `torch.load(weights_only=True)`.

Usage (the bundled example, examples/pytorch_digits.py beside this file, is the reference):

    resume = TorchResume(folder, model=model, optimizer=opt, scheduler=sched, loader_generator=gen)
    start = resume.restore()          # the step to start from; 0 without a checkpoint
    ... every step: resume.position = (epoch, batch); steps.done()   (Steps(save=resume.save))
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ... import checkpoint, host_rng


def capture_rng(generators: Mapping[str, object] = ()) -> dict:
    """Every random stream of this process (and the named torch.Generators) as plain values and tensors."""
    import torch

    state = {**host_rng.capture(), "torch_cpu": torch.get_rng_state(),
             "torch_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
             "generators": {name: generator.get_state() for name, generator in dict(generators).items()}}
    return state


def restore_rng(state: Mapping, generators: Mapping[str, object] = ()) -> None:
    import torch

    host_rng.restore(state)
    torch.set_rng_state(state["torch_cpu"])
    if state["torch_cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["torch_cuda"])
    for name, generator in dict(generators).items():
        generator.set_state(state["generators"][name])


def _distributed() -> tuple[int, int]:
    """(rank, world size) of an initialised torch.distributed group, else (0, 1)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _barrier() -> None:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()


class TorchResume:
    """Save and restore one rank's complete state into a checkpoint folder (checkpoint.py's layout)."""

    def __init__(self, folder: Path | None, *, model, optimizer, scheduler=None, scaler=None,
                 loader_generator=None, partitioning: str = "", restore_rng: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.model, self.optimizer, self.scheduler, self.scaler = model, optimizer, scheduler, scaler
        self.loader_generator = loader_generator
        self.partitioning = partitioning
        self.restore_rng_streams = restore_rng
        self.position = (0, 0)  # (epoch, batches done in it) after the last step
        self.epoch_loader_state = None  # the loader generator's state when this epoch's iterator was created
        self.extra: dict = {}
        self.restored: dict | None = None

    def begin_epoch(self, epoch: int) -> None:
        """Call before creating the epoch's DataLoader iterator: its state then is what a resume must re-create."""
        if self.loader_generator is not None:
            self.epoch_loader_state = self.loader_generator.get_state()
        self.position = (epoch, 0)

    def _payload(self, step: int) -> dict:
        parts = {"model": self.model, "optimizer": self.optimizer, "scheduler": self.scheduler,
                 "scaler": self.scaler}
        return {"step": step, "position": list(self.position), "extra": self.extra,
                "state": {name: part.state_dict() for name, part in parts.items() if part is not None},
                "rng": capture_rng(), "loader_epoch_state": self.epoch_loader_state}

    def save(self, step: int, stopping: str | None = None) -> None:
        """Every rank writes its payload; rank 0 commits the manifest once all have (checkpoint.py)."""
        import torch

        if self.folder is None:
            return
        rank, world = _distributed()
        payload = self._payload(step)
        checkpoint.write_atomically(checkpoint.payload_path(self.folder, step, rank),
                                    lambda path: torch.save(payload, path))
        _barrier()
        if rank == 0:
            checkpoint.commit(self.folder, step, world, partitioning=self.partitioning,
                              extra={"position": list(self.position), "stopped": stopping})
        _barrier()

    def restore(self) -> int:
        """Load this rank's state from the folder's checkpoint; the step reached, 0 when there is none."""
        import torch

        if self.folder is None:
            return 0
        rank, world = _distributed()
        found = checkpoint.load(self.folder, rank)
        if found is None:
            return 0
        manifest, path = found
        if manifest["world_size"] != world:
            raise checkpoint.InvalidCheckpoint(
                f"the checkpoint in {self.folder} was written by {manifest['world_size']} ranks, this run has "
                f"{world}", hint="resume with the same --nproc and number of nodes")
        payload = torch.load(path, weights_only=True)
        parts = {"model": self.model, "optimizer": self.optimizer, "scheduler": self.scheduler,
                 "scaler": self.scaler}
        for name, part in parts.items():
            if part is not None:
                part.load_state_dict(payload["state"][name])
        if self.restore_rng_streams:
            restore_rng(payload["rng"])
            if self.loader_generator is not None and payload["loader_epoch_state"] is not None:
                self.loader_generator.set_state(payload["loader_epoch_state"])
        self.position = tuple(payload["position"])
        self.extra = payload["extra"]
        self.restored = manifest
        return int(payload["step"])

