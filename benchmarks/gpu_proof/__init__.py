"""The GPU proof (`make gpu-proof`, `python -m benchmarks.gpu_proof`): on one GPU, in at most 8 minutes, what
mlfcore promises there, measured and written to docs/GPU.md.

Parts, each with its own time budget (context.BUDGETS): `machine` (machine.py, probe.py), `lint` (lint_truth.py,
lint_child.py, cases.py), `determinism` (determinism.py, seeded.py), `resume` (resume.py) and `bench` (bench.py).
cli.py runs them; results.py keeps what they found (docs/GPU.json) and report*.py render it; verdict.py turns it
into the exit code. wheels.py and on_device.sh prepare and run it on a bare GPU machine.
"""
