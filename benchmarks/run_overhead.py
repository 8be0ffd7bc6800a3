"""Start-up overhead of `mlf run -- python -c pass` against `python -c pass`.

Usage: python benchmarks/run_overhead.py [--runs N]
Prints the median wall time of each (alternating, in one run) and their ratio; results go in docs/benchmarks.md.
The project directory is an empty temporary folder, so the pre-run lint has nothing to read: this is mlf's own cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def wall(command: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    mlf = shutil.which("mlf", path=os.path.dirname(sys.executable)) or shutil.which("mlf")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    bare_cmd = [sys.executable, "-c", "pass"]
    mlf_cmd = [mlf, "run", "--", sys.executable, "-c", "pass"]
    bare, wrapped = [], []
    with tempfile.TemporaryDirectory() as project:
        wall(mlf_cmd, project, env)  # warm the page cache once
        for _ in range(args.runs):
            bare.append(wall(bare_cmd, project, env))
            wrapped.append(wall(mlf_cmd, project, env))
    b, w = statistics.median(bare), statistics.median(wrapped)
    print(f"python -c pass:              median {b * 1000:7.1f} ms over {args.runs} runs")
    print(f"mlf run -- python -c pass:   median {w * 1000:7.1f} ms over {args.runs} runs")
    print(f"overhead: {(w - b) * 1000:.1f} ms, ratio {w / b:.1f}x")


if __name__ == "__main__":
    main()
