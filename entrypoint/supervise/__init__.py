"""Running a command under the contract and supervising it: `mlf run` without its CLI (command.py), the child
process with its signals and exit code (child.py), and a training group that never outlives its mlf (lifetime.py).
"""
