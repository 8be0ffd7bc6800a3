"""The builder: Debian bookworm's buildah, debootstrap and debuerreotype at the versions images/builder/debian.lock
pins, in a container (images/builder/Dockerfile). Every image build (`make image/<name>`, `mlf-scaffold publish`,
`mlf-scaffold rebuild-check`) and `make os-base` run in it, on this machine and in the workflows alike, so every
machine builds with the same tools and the same commit gives the same image id.

Why this route (measured on Debian 12, docker.io 20.10.24, 2 cores; docs/images.md "Rebuilding an image"):
- docker 20.10's BuildKit writes each RUN's files with the build's time and has no SOURCE_DATE_EPOCH support: the
  base built twice without cache differed in 7 of 9 layers.
- buildah 1.28 (`bud --timestamp`) writes every new file, history entry and the image's creation time at the given
  epoch: two no-cache builds gave the same image id. In OCI format: Docker's format records the working container's
  id and hostname (measured: the only difference between two builds).
- In a container, its version is the lock's wherever it runs; a host's own buildah (another distribution's) writes
  another `io.buildah.version` label. The engine must grant SYS_ADMIN and no seccomp/AppArmor profile (buildah's
  chroot isolation and debootstrap mount /proc and bind mounts); `--privileged` is not needed, and a dockerd that
  itself lacks capabilities refuses it ("unable to apply caps", measured here).

The layer cache lives in one volume per namespace and SOURCE_DATE_EPOCH: buildah 1.28's cache ignores --timestamp
(measured: a build at epoch 200 reused the layers of one at epoch 100 and gave its image id, while a no-cache build
at 200 gave another), so layers cached under another epoch would give other bytes than a clean build. A new epoch
(a new commit) starts a new volume and the volumes of older epochs are removed. NO_CACHE builds, and rebuild checks,
use a fresh volume that is removed afterwards.
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from mlfcore.scaffold import identity
from mlfcore.scaffold import engine
from mlfcore.scaffold.images import debian_lock, table

BUILDER_DIR = table.IMAGES_DIR / "builder"
STAGING = table.ROOT / "build" / "images"
DOCKER = engine.CLI  # the one docker client (mlfcore.scaffold.engine says which)
HOSTNAME = "mlfcore-builder"
# Paths inside the builder.
STORAGE = "/var/lib/containers"
SOCKET = "/var/run/docker.sock"
CONTEXT = "/context"
OUT = "/out"
CA = "/run/mlfcore/ca.pem"
ENGINE_OPTIONS = ["--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                  "--security-opt", "apparmor=unconfined"]
# How much of the builder's output is kept to find the one line a failure is explained by.
KEPT_LINES = 400
# The lines our own scripts (images/apt_install.sh, images/builder/os_base.sh) explain a failure with.
OWN_ERROR = re.compile(r"^error: (Debian package|the Debian packages|debuerreotype)")
# The colour codes the classic builder wraps a RUN's stderr in.
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class BuilderError(Exception):
    """The builder could not be made or a build in it failed; the message is the one line the user sees."""


def docker(*args: str, capture: bool = True, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([DOCKER, *args], capture_output=capture, text=stdin is None, stdin=stdin)


def _inputs() -> list[Path]:
    return [*sorted(BUILDER_DIR.iterdir()), table.IMAGES_DIR / "apt_install.sh"]


def reference() -> str:
    """`mlfcore-builder:<12 hex>`: the hash of images/builder/ (Dockerfile, lock, scripts) and of the script that
    installs a lock, so a new lock is a new builder, and two checkouts with the same lock share one."""
    digest = hashlib.sha256()
    for file in _inputs():
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return f"mlfcore-builder:{digest.hexdigest()[:12]}"


def _lock() -> debian_lock.Lock:
    """This machine's architecture's builder lock; a BuilderError naming `make lock` when there is none."""
    arch = debian_lock.host_arch()
    try:
        return debian_lock.check(debian_lock.builder_path(arch), debian_lock.request(builder=True), arch)
    except debian_lock.LockError as error:
        raise BuilderError(f"the builder cannot be built on {arch}: {error}") from None


def label() -> str:
    """What the images' io.mlfcore.build.builder label says: buildah's Debian version, from the builder's lock."""
    return f"buildah={_lock().install.get('buildah', 'unknown')}"


def _exists(ref: str) -> bool:
    return docker("image", "inspect", ref).returncode == 0


def seed(os_base: str) -> str:
    """A Debian bookworm image to build the builder FROM: the OS base, else the table's seed image when a registry
    answers, else one bootstrapped on the host by debootstrap (images/builder/seed.sh)."""
    for candidate in (os_base, f"{os_base}-seed", table.RAW["seed_image"]):
        if _exists(candidate):
            return candidate
    if docker("pull", "--quiet", table.RAW["seed_image"]).returncode == 0:
        return table.RAW["seed_image"]
    seeded = f"{os_base}-seed"
    print(f"no Debian image to start the builder from: bootstrapping {seeded} with the host's debootstrap",
          file=sys.stderr)
    if subprocess.run(["bash", str(BUILDER_DIR / "seed.sh"), seeded], stdout=sys.stderr).returncode != 0:
        raise BuilderError(f"bootstrapping {seeded} failed (the output is above)")
    return seeded


def ensure(os_base: str | None = None, snapshot: str | None = None) -> str:
    """The builder's reference, built first when this lock's builder is not there yet (its packages from Debian's
    snapshot archive at SNAPSHOT, when given)."""
    ref = reference()
    if _exists(ref):
        return ref
    _lock()
    context = STAGING / "builder"
    shutil.rmtree(context, ignore_errors=True)
    (context / "apt").mkdir(parents=True)
    for file in _inputs():
        if not file.name.endswith(".lock"):
            shutil.copy2(file, context / file.name)
    shutil.copy2(debian_lock.builder_path(), context / "debian.lock")  # this machine's architecture's
    if snapshot:
        (context / "apt" / "debian.sources").write_text(debian_lock.sources(snapshot), encoding="utf-8")
    start = seed(os_base or table.RAW["os_image"])
    print(f"building the builder {ref} FROM {start}", file=sys.stderr)
    result = subprocess.run([DOCKER, "build", "--build-arg", f"SEED={start}", "--tag", ref, str(context)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:])
        raise BuilderError(explain(result.stdout.splitlines()) or f"building the builder {ref} failed (the output "
                                                                  "is above)")
    return ref


def _socket() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        raise BuilderError(f"DOCKER_HOST={host}: the builder reaches the engine through its unix socket; "
                           "run on the engine's host (DOCKER_HOST=unix://...)")
    return host.removeprefix("unix://")


def run(script: str, *, volume: str | None = None, mounts: tuple[tuple[str, str, bool], ...] = (),
        stream: bool = True) -> tuple[int, list[str]]:
    """Run a bash script in the builder with the engine's socket, the storage VOLUME and MOUNTS (source, target,
    writable); its output goes to stderr when STREAM. The exit code and the output's last lines."""
    argv = [DOCKER, "run", "--rm", "--hostname", HOSTNAME, *ENGINE_OPTIONS, "-v", f"{_socket()}:{SOCKET}"]
    if volume:
        argv += ["-v", f"{volume}:{STORAGE}"]
    for source, target, writable in mounts:
        argv += ["-v", f"{source}:{target}{'' if writable else ':ro'}"]
    if os.getuid() != 0:
        # Files the builder writes into a host folder belong to root there; give them back to the caller.
        owner = f"{os.getuid()}:{os.getgid()}"
        writable = " ".join(target for _, target, rw in mounts if rw)
        if writable:
            script = f"trap 'chown -R {owner} {writable}' EXIT\n{script}"
    argv += [ensure(), "bash", "-euo", "pipefail", "-c", script]
    kept: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        for line in process.stdout:
            if stream:
                sys.stderr.write(line)
            kept.append(line.rstrip("\n"))
    return process.returncode, list(kept)


def explain(lines: list[str]) -> str | None:
    """The one line our scripts explain a failure with (a Debian version gone from the mirror, a lock that does not
    match), when the output has one."""
    plain = (ANSI.sub("", line) for line in reversed(lines))
    return next((line.removeprefix("error: ") for line in plain if OWN_ERROR.match(line)), None)


def _volume_name(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_.-]", "-", text)


def storage(epoch: int, scope: str = "images") -> str:
    """The layer cache of this namespace and SCOPE (our images, or one project) for EPOCH; the volumes of the scope's
    other epochs are removed (one in use stays)."""
    prefix = _volume_name(f"{identity.namespace()}-buildah-{scope}-")
    name = f"{prefix}{epoch}"
    for other in docker("volume", "ls", "--quiet").stdout.split():
        if other.startswith(prefix) and other != name and other[len(prefix):].isdigit():
            docker("volume", "rm", other)
    return name


@contextmanager
def scratch_storage():
    """A fresh, empty layer cache, removed afterwards: NO_CACHE builds and rebuild checks."""
    name = _volume_name(f"{identity.namespace()}-scratch-{uuid.uuid4().hex[:12]}")
    try:
        yield name
    finally:
        docker("volume", "rm", "--force", name)


def image_id(ref: str) -> str:
    return docker("image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()


def build(context: Path, *, epoch: int, build_args: dict[str, str], labels: dict[str, str], froms: list[str],
          volume: str, no_cache: bool = False, platform: str | None = None, ca_bundle: str | None = None) -> str:
    """buildah bud of CONTEXT at EPOCH in the builder; returns the image id (the sha256 of its OCI config, which is
    the id the engine gives it too). FROMS are the engine's images the Dockerfile starts FROM: each is copied into
    the builder's storage unless it holds that image id already. Nothing is tagged here."""
    mounts = [(str(context), CONTEXT, False)]
    with tempfile.TemporaryDirectory(prefix="mlfcore-build-") as out:
        os.chmod(out, 0o755)
        mounts.append((out, OUT, True))
        lines = []
        for ref in froms:
            wanted = image_id(ref)
            if not wanted:
                raise BuilderError(f"{ref} is not in the Docker engine: build it first")
            lines.append(f"[ \"$(buildah images --no-trunc --quiet {shlex.quote(ref)} 2>/dev/null | head -n1)\" = "
                         f"{shlex.quote(wanted)} ] || buildah pull --quiet docker-daemon:{shlex.quote(ref)} >/dev/null")
        command = ["buildah", "bud", "--layers", "--format", "oci", "--timestamp", str(epoch),
                   "--iidfile", f"{OUT}/iid"]
        if no_cache:
            command.append("--no-cache")
        if platform:
            command += ["--platform", platform]
        if ca_bundle:
            mounts.append((str(Path(ca_bundle).resolve()), CA, False))
            command += ["--secret", f"id=ca,src={CA}"]
        for name, value in build_args.items():
            command += ["--build-arg", f"{name}={value}"]
        for name, value in labels.items():
            command += ["--label", f"{name}={value}"]
        command.append(CONTEXT)
        lines.append(shlex.join(command))
        code, output = run("\n".join(lines), volume=volume, mounts=tuple(mounts))
        iid = Path(out, "iid")
        if code != 0 or not iid.is_file():
            raise BuilderError(explain(output) or "the build failed (the builder's output is above); no tag was "
                                                  "changed")
        return iid.read_text().strip()


def to_engine(built: str, ref: str, volume: str) -> None:
    """Put image BUILT into the Docker engine as REF (a tag is set only once the whole image is there); a no-op
    besides the tag when the engine has that image id already."""
    if docker("image", "inspect", built).returncode == 0:
        if docker("tag", built, ref).returncode != 0:
            raise BuilderError(f"tagging {built} as {ref} failed")
        return
    code, _ = run(f"buildah push --quiet {shlex.quote(built)} docker-daemon:{shlex.quote(ref)}", volume=volume)
    if code != 0 or image_id(ref) != built:
        raise BuilderError(f"copying {built} into the Docker engine as {ref} failed (the output is above)")
