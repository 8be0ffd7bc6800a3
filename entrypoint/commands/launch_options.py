"""Options of `mlf run` and `mlf train` that launch several processes through torch.distributed.run."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

_PANEL = "Distributed (torch.distributed.run)"

Nproc = Annotated[int, typer.Option("--nproc", help="Processes (ranks) on this node, launched through "
                                                    "torch.distributed.run with the contract in each.",
                                    rich_help_panel=_PANEL)]
Nnodes = Annotated[str, typer.Option("--nnodes", help="Nodes: N or MIN:MAX (torchrun's --nnodes).",
                                     rich_help_panel=_PANEL)]
NodeRank = Annotated[Optional[int], typer.Option("--node-rank", help="This node's rank (torchrun's --node-rank).",
                                                 rich_help_panel=_PANEL)]
RdzvEndpoint = Annotated[Optional[str], typer.Option("--rdzv-endpoint", help="HOST:PORT of the rendezvous.",
                                                     rich_help_panel=_PANEL)]
RdzvBackend = Annotated[Optional[str], typer.Option("--rdzv-backend", help="Rendezvous backend (c10d, static).",
                                                    rich_help_panel=_PANEL)]
RdzvId = Annotated[Optional[str], typer.Option("--rdzv-id", help="The job's rendezvous id.", rich_help_panel=_PANEL)]
MasterAddr = Annotated[Optional[str], typer.Option("--master-addr", help="Static rendezvous: rank 0's address.",
                                                   rich_help_panel=_PANEL)]
MasterPort = Annotated[Optional[int], typer.Option("--master-port", help="Static rendezvous: rank 0's port.",
                                                   rich_help_panel=_PANEL)]
