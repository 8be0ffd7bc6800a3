"""`python -m mlfcore.entrypoint.cli ARGS`: the Typer app, as the `mlf` console script runs it without its fast path."""

from .app import run

run()
