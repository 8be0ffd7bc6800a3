"""`make demo`, the README's main job: the PyTorch image trains its bundled example twice, bit for bit the same.

Host side, after `python -m mlfcore.scaffold.provision` (a Docker engine, the OS base) and `make images`:
`python -m mlfcore.scaffold.demo run --image REF` runs `docker run --rm -v WS:/workspace REF train`
twice on one empty workspace and compares the fingerprints: exit 0 when identical, 1 when not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlfcore.scaffold.engine import CLI as DOCKER


def say(message: str) -> None:
    print(f"[demo] {message}", file=sys.stderr, flush=True)


def _train(image: str, workspace: Path) -> dict:
    command = [DOCKER, "run", "--rm", "-v", f"{workspace}:/workspace", image, "train", "--json"]
    say(" ".join(command))
    started = time.monotonic()
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        say(f"the training failed (exit {result.returncode})")
        sys.exit(result.returncode)
    summary = json.loads(result.stdout)
    say(f"fingerprint {summary['fingerprint']}  ({time.monotonic() - started:.0f} s)")
    return summary


def run(image: str) -> int:
    workspace = Path(tempfile.mkdtemp(prefix="mlf-demo-"))
    os.chmod(workspace, 0o777)  # the container runs as uid 1000
    first, second = _train(image, workspace), _train(image, workspace)
    same = first["fingerprint"] == second["fingerprint"]
    print(f"run 1  {first['run_id']}  {first['fingerprint']}\nrun 2  {second['run_id']}  {second['fingerprint']}")
    print("identical: bit for bit the same trained weights and metrics" if same else "DIFFERENT fingerprints")
    say(f"the MLflow store and both runs' outputs are in {workspace} (mlflow ui --backend-store-uri "
        f"sqlite:///{workspace}/mlflow.db)")
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    runner = steps.add_parser("run", help="train the example twice in its container and compare")
    runner.add_argument("--image", required=True, help="the PyTorch image, e.g. mlfcore/pytorch:0.1.0-torch2.13.0-cpu")
    args = parser.parse_args(argv)
    return run(args.image)


if __name__ == "__main__":
    sys.exit(main())
