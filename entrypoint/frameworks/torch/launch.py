"""`--nproc N`: launch a Python training through torch.distributed.run (torchrun), one process per rank.

torchrun passes its environment to every rank, so the contract's variables and mlf's bootstrap (on PYTHONPATH)
reach each of them: every rank is seeded and switched like a single process. Multi-node options pass through to
torchrun unchanged (https://pytorch.org/docs/stable/elastic/run.html). A single node without a rendezvous endpoint
uses `--standalone`, which picks a free port, so two trainings on one host never collide on torchrun's default
port 29500.
"""

from __future__ import annotations

import os

from ...errors import UsageError
from ...frozen import Frozen


class Launch(Frozen):
    """How many processes, on how many nodes. The defaults run the command as it is, in one process."""

    nproc: int = 1
    nnodes: str = "1"  # torchrun accepts N or MIN:MAX
    node_rank: int | None = None
    rdzv_endpoint: str | None = None
    rdzv_backend: str | None = None
    rdzv_id: str | None = None
    master_addr: str | None = None
    master_port: int | None = None

    def __post_init__(self) -> None:
        if self.nproc < 1:
            raise UsageError(f"--nproc must be at least 1, got {self.nproc}", hint="pass --nproc 2 for two ranks")
        parts = str(self.nnodes).split(":")
        if not all(part.isdigit() and int(part) >= 1 for part in parts) or len(parts) > 2:
            raise UsageError(f"--nnodes must be N or MIN:MAX with positive integers, got {self.nnodes!r}",
                             hint="pass --nnodes 2 for two nodes")

    @property
    def distributed(self) -> bool:
        return self.nproc > 1 or self.nnodes != "1" or self.rdzv_endpoint is not None

    @property
    def world_size(self) -> int:
        """Ranks in all: processes per node times nodes (the maximum of an elastic MIN:MAX range)."""
        return self.nproc * int(str(self.nnodes).split(":")[-1])

    def torchrun_options(self) -> list[str]:
        options = [f"--nproc-per-node={self.nproc}", f"--nnodes={self.nnodes}"]
        named = (("--node-rank", self.node_rank), ("--rdzv-endpoint", self.rdzv_endpoint),
                 ("--rdzv-backend", self.rdzv_backend), ("--rdzv-id", self.rdzv_id),
                 ("--master-addr", self.master_addr), ("--master-port", self.master_port))
        options += [f"{flag}={value}" for flag, value in named if value is not None]
        if self.nnodes == "1" and not any(v is not None for v in (self.rdzv_endpoint, self.master_addr,
                                                                   self.master_port)):
            options.append("--standalone")
        return options

    def wrap(self, argv: list[str]) -> list[str]:
        """`python [-m mod | script] args` as `python -m torch.distributed.run OPTIONS [-m mod | script] args`."""
        if not self.distributed:
            return list(argv)
        if not argv or not os.path.basename(argv[0]).startswith("python") or len(argv) < 2:
            raise UsageError(f"--nproc launches Python through torch.distributed.run, but the command starts with "
                             f"{argv[0] if argv else 'nothing'!r}",
                             hint="give the training as `python script.py ...` or `python -m module ...`")
        rest = argv[1:]
        if rest[0].startswith("-") and rest[0] != "-m":
            raise UsageError(f"--nproc cannot pass the interpreter option {rest[0]!r} to torch.distributed.run",
                             hint="set it through the environment instead (e.g. PYTHONUNBUFFERED=1 for -u)")
        return [argv[0], "-m", "torch.distributed.run", *self.torchrun_options(), *rest]

    def record(self) -> dict:
        """What the run's record says about the launch (docs/distributed.md names the fields)."""
        return {"world_size": self.world_size, "nproc_per_node": self.nproc, "nnodes": self.nnodes,
                "node_rank": self.node_rank, "launcher": "torch.distributed.run" if self.distributed else None}
