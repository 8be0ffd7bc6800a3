"""Host-side provisioning: a Docker engine that answers, and the OS base image our base starts FROM.

`python -m mlfcore.scaffold.provision` (the first step of `make demo`) makes sure a Docker engine answers — on a
fresh Debian machine, as root, it installs docker.io and debootstrap and starts dockerd, as a CI machine does; as
another user it says what to run and exits 2 — and prints the OS image to build FROM: $BASE_IMAGE when set, else
local/debian:bookworm, bootstrapped from Debian packages (mlfcore.scaffold.images.os_base, `make os-base`) when missing, so no
container registry is needed. Host side only: none of this ships in the images.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from mlfcore.scaffold import engine

OS_BASE = "local/debian:bookworm"
DOCKERD_LOG = "/var/log/dockerd.log"
_APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


class ProvisionError(Exception):
    """What is missing and what to run; `code` is the exit status (2: the user must act, 1: it failed)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    print(f"[provision] {message}", file=sys.stderr, flush=True)


def docker_client() -> str:
    """The docker client (mlfcore.scaffold.engine: Debian's, it has BuildKit built in)."""
    return engine.CLI


def engine_answers() -> bool:
    try:
        return subprocess.run([docker_client(), "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _apt_install(*packages: str) -> None:
    env = {**os.environ, **_APT_ENV}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def start_engine(wait_s: int = 60) -> None:
    """Install and start the Docker engine; only as root, only when none answers."""
    if engine_answers():
        return
    if os.geteuid() != 0:
        raise ProvisionError("no Docker engine answers. As root, run: apt-get install -y docker.io debootstrap && "
                             f"(dockerd >{DOCKERD_LOG} 2>&1 &) — or start your Docker engine — then retry")
    say("no Docker engine answers: installing docker.io and debootstrap, starting dockerd (~1 min)")
    _apt_install("docker.io", "debootstrap")
    with open(DOCKERD_LOG, "ab") as log:
        subprocess.Popen(["dockerd"], stdout=log, stderr=log, start_new_session=True)
    for _ in range(wait_s):
        if engine_answers():
            return
        time.sleep(1)
    raise ProvisionError(f"dockerd did not start: see {DOCKERD_LOG}", code=1)


def os_base(base: str | None = None) -> str:
    """The OS image the base starts FROM; local/debian:bookworm is bootstrapped when it is missing (make os-base:
    debuerreotype in the builder, which the host's debootstrap seeds on a machine with no Debian image at all)."""
    from mlfcore.scaffold.images import builder, debian_lock
    from mlfcore.scaffold.images import os_base as bootstrapping

    base = base or os.environ.get("BASE_IMAGE") or OS_BASE
    if base != OS_BASE or subprocess.run([docker_client(), "image", "inspect", OS_BASE],
                                         capture_output=True).returncode == 0:
        return base
    if shutil.which("debootstrap") is None and os.geteuid() == 0:
        _apt_install("debootstrap")  # only used when no Debian image exists to start the builder FROM
    say(f"bootstrapping {OS_BASE} from Debian packages (make os-base, ~2 min): no registry is needed")
    try:
        bootstrapping.make(OS_BASE)
    except (bootstrapping.OsBaseError, builder.BuilderError, debian_lock.LockError) as error:
        raise ProvisionError(f"bootstrapping {OS_BASE} failed: {error}", code=1) from None
    return base


def main() -> int:
    try:
        start_engine()
        print(os_base())
    except ProvisionError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code
    except subprocess.CalledProcessError as error:
        print(f"error: {' '.join(error.cmd)} failed with exit {error.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
