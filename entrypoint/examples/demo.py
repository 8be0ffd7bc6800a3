"""`make demo`, the README's main job: the PyTorch image trains its bundled example twice, bit for bit the same.

Host side, in two steps the Makefile calls around `make images`:

- `python -m mlfcore.entrypoint.examples.demo prepare` makes sure a Docker engine answers — on a fresh Debian
  machine, as root, it installs docker.io and debootstrap and starts dockerd, as .ci/run does (MACHINE.md); as
  another user it says what to run and exits 2 — and prints the OS image the base should start FROM: $BASE_IMAGE
  when set, else local/debian:bookworm, bootstrapped with `make os-base` when missing (no registry is needed);
- `python -m mlfcore.entrypoint.examples.demo run --image REF` runs `docker run --rm -v WS:/workspace REF train`
  twice on one empty workspace and compares the fingerprints: exit 0 when identical, 1 when not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OS_BASE = "local/debian:bookworm"
# Debian's client has BuildKit (MACHINE.md); `docker run` works with either client.
DOCKER = "/usr/bin/docker" if os.access("/usr/bin/docker", os.X_OK) else (shutil.which("docker") or "docker")


def say(message: str) -> None:
    print(f"[demo] {message}", file=sys.stderr, flush=True)


def _engine_answers() -> bool:
    try:
        return subprocess.run([DOCKER, "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _provision() -> None:
    """Install and start the Docker engine as .ci/run does; only as root, only when none answers."""
    global DOCKER
    if os.geteuid() != 0:
        say("no Docker engine answers. As root, run: apt-get install -y docker.io debootstrap && "
            "(dockerd >/var/log/dockerd.log 2>&1 &) — or start your Docker engine — then `make demo` again")
        sys.exit(2)
    say("no Docker engine answers: installing docker.io and debootstrap, starting dockerd (~1 min)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "docker.io", "debootstrap"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    DOCKER = "/usr/bin/docker"
    with open("/var/log/dockerd.log", "ab") as log:
        subprocess.Popen(["dockerd"], stdout=log, stderr=log, start_new_session=True)
    for _ in range(60):
        if _engine_answers():
            return
        time.sleep(1)
    say("dockerd did not start: see /var/log/dockerd.log")
    sys.exit(1)


def prepare() -> None:
    if not _engine_answers():
        _provision()
    base = os.environ.get("BASE_IMAGE") or OS_BASE
    if base == OS_BASE and subprocess.run([DOCKER, "image", "inspect", OS_BASE], capture_output=True).returncode:
        if shutil.which("debootstrap") is None:
            if os.geteuid() != 0:
                say("make os-base needs debootstrap: as root, apt-get install -y debootstrap; or set BASE_IMAGE")
                sys.exit(2)
            subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "debootstrap"], check=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
        say(f"bootstrapping {OS_BASE} from Debian packages (make os-base, ~1 min): no registry is needed")
        subprocess.run(["make", "os-base", f"OS_BASE={OS_BASE}"], check=True, stdout=sys.stderr)
    print(base)


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
    steps.add_parser("prepare", help="make sure a Docker engine answers; print the OS base image to build FROM")
    runner = steps.add_parser("run", help="train the example twice in its container and compare")
    runner.add_argument("--image", required=True, help="the PyTorch image, e.g. mlfcore/pytorch:0.1.0-torch2.13.0-cpu")
    args = parser.parse_args(argv)
    if args.step == "prepare":
        prepare()
        return 0
    return run(args.image)


if __name__ == "__main__":
    sys.exit(main())
