"""The `mlf` command line: the console script's start-up fast path for `mlf run` (fastpath.py), the Typer app that
wires the commands together (app.py; each command is a module of entrypoint/commands/), the one place expected and
unexpected failures become exit codes (exits.py), and `docker run IMAGE PROGRAM` in the images (dispatch.py).

Imports nothing: the fast path imports this package on every `mlf run`, and the Typer app costs 143 ms to import.
`python -m mlfcore.entrypoint.cli ARGS` runs the Typer app (__main__.py).
"""
