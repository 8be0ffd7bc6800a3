"""Build one image of images/images.toml: `make image/<name> VARIANT= WHEELHOUSE= CA_BUNDLE= BASE_IMAGE=`, which
runs `python -m mlfcore.scaffold.images.build NAME --variant V ...`.

It checks the input first (each problem is one line that says what to do, exit 2), stages the build context in
build/images/<image>-<variant>/ (the Dockerfile, the variant's lock as requirements.lock, wheelhouse/, and dist/
with the runtime wheel for the base: mlfcore without mlfcore.scaffold), builds with BuildKit through the docker
client (secrets and RUN --mount need it), labels the image as mlfcore.scaffold.identity says, and tags it only after
the build succeeded, so a failure leaves no half-tagged image.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mlfcore.scaffold import identity
from mlfcore.scaffold import engine, references
from mlfcore.scaffold.images import lock, runtime_wheel, table

STAGING = table.ROOT / "build" / "images"
OS_BASE = "local/debian:bookworm"


class BuildError(Exception):
    """Bad input or a missing prerequisite; the message is the one line the user sees."""


def docker(*args: str, capture: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    return engine.run(*args, capture=capture, env=env)


def check_engine() -> None:
    try:
        answer = docker("info", "--format", "{{.ServerVersion}}")
    except FileNotFoundError:
        raise BuildError("no docker client found: apt-get install -y docker.io (see .ci/run)") from None
    if answer.returncode != 0 or not answer.stdout.strip():
        raise BuildError("no Docker engine answers: start dockerd (`dockerd &`, as .ci/run does) and retry")


def check_inputs(args: argparse.Namespace) -> table.Image:
    try:
        spec = table.check_variant(args.image, args.variant)
    except table.TableError as error:
        raise BuildError(str(error)) from None
    if args.wheelhouse and not Path(args.wheelhouse).is_dir():
        raise BuildError(f"WHEELHOUSE={args.wheelhouse} is not a folder: pass a folder of wheels, or leave it empty")
    if args.ca_bundle:
        path = Path(args.ca_bundle)
        if not (path.is_file() and os.access(path, os.R_OK) and path.stat().st_size > 0):
            raise BuildError(f"CA_BUNDLE={args.ca_bundle} is not a readable, non-empty file: pass the proxy's PEM "
                             "bundle (e.g. /etc/ssl/certs/ca-certificates.crt), or leave it empty")
    if not spec.lock_file(args.variant, args.arch).is_file():
        raise BuildError(f"{spec.lock_file(args.variant, args.arch).relative_to(table.ROOT)} is missing: run "
                         f"`make lock`{'' if args.arch == table.DEFAULT_ARCH else f' ARCH={args.arch}'}")
    return spec


def check_parent(spec: table.Image, variant: str, arch: str = table.DEFAULT_ARCH) -> str:
    parent = identity.parent_ref(spec.name, variant, arch)
    if parent and docker("image", "inspect", parent).returncode != 0:
        raise BuildError(f"parent image {parent} is not built: run `make image/{spec.parent}` first")
    return parent


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def stage(spec: table.Image, variant: str, wheelhouse: str | None, arch: str = table.DEFAULT_ARCH) -> Path:
    context = STAGING / f"{spec.name}-{variant}{'' if arch == table.DEFAULT_ARCH else '-' + arch}"
    shutil.rmtree(context, ignore_errors=True)
    (context / "wheelhouse").mkdir(parents=True)
    shutil.copy2(spec.dockerfile, context / "Dockerfile")
    shutil.copy2(spec.lock_file(variant, arch), context / "requirements.lock")
    # Only the wheels the lock names: the context is sent to the builder on every build (measured: a 200 MB torch
    # wheel in every image's context cost about 10 s per cached build).
    pins = lock.read_lock(spec.lock_file(variant, arch))
    for wheel in sorted(Path(wheelhouse).glob("*.whl")) if wheelhouse else []:
        # A wheel's file name is name-version-...whl (PEP 427); one without a '-' is no wheel pip would install,
        # and could match no pin: skip it rather than fail the build on a stray file in the wheelhouse.
        if "-" not in wheel.name:
            continue
        name, version = wheel.name.split("-")[:2]
        if pins.get(lock.normalise(name)) == version.replace("%2B", "+"):
            _link_or_copy(wheel, context / "wheelhouse" / wheel.name)
    if not spec.parent:
        try:
            runtime_wheel.build(context / "dist")
        except runtime_wheel.WheelError as error:
            raise BuildError(str(error)) from None
    return context


def base_digest(ref: str) -> str:
    """The digest of the image a build starts FROM: the registry digest a pinned or pulled reference carries, else
    the local image id (an OS base imported by `make os-base`, or our parent built here)."""
    pinned = references.parse(ref).digest
    if pinned:
        return pinned
    answer = docker("image", "inspect", "--format", "{{json .RepoDigests}} {{.Id}}", ref)
    digests, _, image_id = answer.stdout.strip().rpartition(" ")
    found = [references.parse(item).digest for item in json.loads(digests or "[]")]
    return (found or [image_id])[0] or "unknown"


def labels(spec: table.Image, variant: str, base: str, arch: str = table.DEFAULT_ARCH) -> dict[str, str]:
    return identity.labels(spec.name, variant, base_name=base, base_digest=base_digest(base),
                           lock_hash=lock.lock_hash(spec.name, variant, arch))


def build_args(spec: table.Image, variant: str, args: argparse.Namespace, parent: str) -> dict[str, str]:
    refs = identity.tags(spec.name, variant, arch=args.arch)
    values = {
        "MLF_IMAGE_NAME": identity.repository(spec.name),
        "MLF_IMAGE_TAG": refs[0].partition(":")[2],
        "MLF_IMAGE_VARIANT": variant,
        "MLF_IMAGE_LOCK_HASH": lock.lock_hash(spec.name, variant, args.arch),
        "MLF_VERSION": identity.mlfcore_version(),
        "MLF_SOURCE": identity.source_url(),
        "MLF_REVISION": identity.commit() or "unknown",
    }
    os_image = args.base_image or table.RAW["os_image"]
    if spec.parent:
        values.update(BASE_IMAGE=parent, OS_IMAGE=os_image, MLF_IMAGE_EXAMPLE=spec.example,
                      MLF_FRAMEWORK=spec.framework, MLF_FRAMEWORK_VERSION=spec.framework_version)
    else:
        values["BASE_IMAGE"] = os_image
    return values


def build(args: argparse.Namespace) -> list[str]:
    check_inputs(args)  # what was asked for, before anything talks to the engine
    check_engine()
    host_defaults(args)
    spec = check_inputs(args)  # and what the host's defaults added
    parent = check_parent(spec, args.variant, args.arch)
    context = stage(spec, args.variant, args.wheelhouse, args.arch)
    iidfile = context.parent / f"{context.name}.iid"
    iidfile.unlink(missing_ok=True)
    command = ["build", "--iidfile", str(iidfile)]
    values = build_args(spec, args.variant, args, parent)
    for name, value in values.items():
        command += ["--build-arg", f"{name}={value}"]
    for name, value in labels(spec, args.variant, values["BASE_IMAGE"], args.arch).items():
        command += ["--label", f"{name}={value}"]
    if args.arch != table.DEFAULT_ARCH:
        # Another architecture runs under emulation here (qemu-user-static through binfmt_misc, F flag).
        command += ["--platform", table.ARCHES[args.arch]]
    if args.ca_bundle:
        command += ["--secret", f"id=ca,src={Path(args.ca_bundle).resolve()}"]
    if args.cache_from:
        # The registry's last build as a layer cache: BuildKit's inline cache (docker build docs, "--cache-from"),
        # written into every image built with it, so the next run's --cache-from finds it.
        command += ["--cache-from", args.cache_from, "--build-arg", "BUILDKIT_INLINE_CACHE=1"]
    command.append(str(context))
    started = time.monotonic()
    result = docker(*command, capture=False, env=dict(os.environ, DOCKER_BUILDKIT="1"))
    if result.returncode != 0 or not iidfile.is_file():
        raise BuildError(f"building {spec.name}:{args.variant} failed (the builder's output is above); "
                         "no tag was changed")
    image_id = iidfile.read_text().strip()
    refs = identity.tags(spec.name, args.variant, arch=args.arch)
    for ref in refs:
        if docker("tag", image_id, ref).returncode != 0:
            raise BuildError(f"tagging {image_id} as {ref} failed")
    size = int(docker("image", "inspect", "--format", "{{.Size}}", image_id).stdout.strip() or 0)
    print(f"built {refs[0]} in {time.monotonic() - started:.0f} s, {size / 1e6:.0f} MB; tags: "
          + " ".join(ref.partition(":")[2] for ref in refs), file=sys.stderr)
    return refs


def host_defaults(args: argparse.Namespace) -> None:
    """What this host's own pip and Docker already use, for settings left empty (each is said on stderr):
    the CA bundle pip trusts (PIP_CERT), a single wheelhouse folder pip finds links in (PIP_FIND_LINKS), and the
    OS base `make os-base` imported. Machines behind a proxy, without a registry, then build with plain `make`."""
    notes = []
    if not args.ca_bundle and os.environ.get("PIP_CERT"):
        args.ca_bundle = os.environ["PIP_CERT"]
        notes.append(f"CA_BUNDLE={args.ca_bundle} (PIP_CERT)")
    links = os.environ.get("PIP_FIND_LINKS", "").split()
    if not args.wheelhouse and len(links) == 1 and Path(links[0]).is_dir():
        args.wheelhouse = links[0]
        notes.append(f"WHEELHOUSE={args.wheelhouse} (PIP_FIND_LINKS)")
    if not args.base_image and docker("image", "inspect", OS_BASE).returncode == 0:
        args.base_image = OS_BASE
        notes.append(f"BASE_IMAGE={OS_BASE} (make os-base)")
    if notes:
        print("using " + ", ".join(notes), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image")
    parser.add_argument("--variant", default="cpu")
    parser.add_argument("--wheelhouse", default="", help="a folder of wheels pip may install from")
    parser.add_argument("--ca-bundle", default="", help="a proxy's CA bundle, passed as a BuildKit secret")
    parser.add_argument("--base-image", default="", help="the OS image the base starts FROM (make os-base)")
    parser.add_argument("--arch", choices=sorted(table.ARCHES), default=table.DEFAULT_ARCH,
                        help="build for this architecture (its lock: make lock ARCH=; tagged with an -<arch> suffix)")
    parser.add_argument("--cache-from", default="", help="an image (e.g. the published :cpu tag) to reuse layers of")
    args = parser.parse_args(argv)
    try:
        build(args)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
