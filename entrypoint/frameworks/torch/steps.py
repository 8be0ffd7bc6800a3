"""The step hook under torch.distributed: every rank stops at the same step, for the same reason."""

from __future__ import annotations


def torch_agreement():
    """For `Steps(agree=...)` under torch.distributed: the highest reason code of any rank, on every rank (an
    all-reduce of one integer per step); None outside a process group."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return None

    def agree(code: int) -> int:
        flag = torch.tensor([code])
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return int(flag.item())

    return agree
