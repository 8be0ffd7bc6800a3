"""Build one image of images/images.toml: `make image/<name> VARIANT= WHEELHOUSE= CA_BUNDLE= BASE_IMAGE= NO_CACHE=
DEBIAN_SNAPSHOT=`, which runs `python -m mlfcore.scaffold.images.build NAME --variant V ...`.

It checks the input first (each problem is one line that says what to do, exit 2: an unknown image, a lock out of
date with the table, a missing parent or OS base), stages the build context in build/images/<image>-<variant>/ (the
Dockerfile, the variant's lock as requirements.lock, wheelhouse/, apt/ with the Debian lock and its installer, and
dist/ with the runtime wheel for the base: mlfcore without mlfcore.scaffold), builds it with the builder
(mlfcore.scaffold.images.builder: Debian's buildah at the commit's time, SOURCE_DATE_EPOCH), labels it with its
identity and build inputs (mlfcore.scaffold.identity), and only then puts it into the Docker engine under its tags:
a failure leaves no tag changed. The same commit gives the same image id, on any machine, cached or not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from mlfcore.entrypoint import files
from mlfcore.scaffold import identity, source
from mlfcore.scaffold.images import builder, debian_lock, lock, os_base, runtime_wheel, table

STAGING = table.ROOT / "build" / "images"
# Debian's name of each architecture, as BuildKit's TARGETARCH and buildah's --platform take it.
TARGETARCH = {"x86_64": "amd64", "aarch64": "arm64"}


class BuildError(Exception):
    """Bad input or a missing prerequisite; the message is the one line the user sees."""


def docker(*args: str):
    return builder.docker(*args)


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
    if args.debian_snapshot:
        try:
            debian_lock.sources(args.debian_snapshot)
        except debian_lock.LockError as error:
            raise BuildError(str(error)) from None
    if not spec.lock_file(args.variant, args.arch).is_file():
        raise BuildError(f"{spec.lock_file(args.variant, args.arch).relative_to(table.ROOT)} is missing: run "
                         f"`make lock`{'' if args.arch == table.DEFAULT_ARCH else f' ARCH={args.arch}'}")
    return spec


def check_locks(spec: table.Image, variant: str, arch: str) -> debian_lock.Lock:
    """Every lock the image installs must have been resolved for what the table asks today."""
    try:
        for name in reversed(table.chain(spec.name)):  # parents first
            lock.check_current(name, variant if variant in table.image(name).variants
                               else table.image(name).variants[0], arch)
        return debian_lock.check(debian_lock.path(arch), debian_lock.request(), arch)
    except (table.TableError, debian_lock.LockError) as error:
        raise BuildError(str(error)) from None


def check_parent(spec: table.Image, variant: str, arch: str = table.DEFAULT_ARCH) -> str:
    parent = identity.parent_ref(spec.name, variant, arch)
    if parent and docker("image", "inspect", parent).returncode != 0:
        raise BuildError(f"parent image {parent} is not built: run `make image/{spec.parent}` first")
    return parent


def check_os_image(args: argparse.Namespace) -> str:
    os_image = args.base_image or os_base.default_tag(args.arch)
    hint = ("" if args.arch == table.DEFAULT_ARCH else f" ARCH={args.arch}") + (
        "" if os_image == os_base.default_tag(args.arch) else f" OS_BASE={os_image}")
    if docker("image", "inspect", os_image).returncode != 0:
        raise BuildError(f"the OS base {os_image} is not built: run `make os-base{hint}`")
    if not os_base.made_here(os_image):
        # Another Debian image (an older `docker import`, a registry's) has other packages or apt sources than the
        # lock's, and would fail later with a less clear message.
        raise BuildError(f"{os_image} was not made by `make os-base` (debuerreotype, checked against the Debian "
                         f"lock): run `make os-base{hint}`")
    return os_image


def _link_or_copy(source_file: Path, target: Path) -> None:
    try:
        os.link(source_file, target)
    except OSError:
        shutil.copy2(source_file, target)


def _stage_apt(folder: Path, arch: str, snapshot: str | None) -> None:
    """apt/: the Debian lock and its installer, and the snapshot's sources when DEBIAN_SNAPSHOT is set."""
    (folder / "sources").mkdir(parents=True)
    shutil.copyfile(debian_lock.path(arch), folder / "debian.lock")
    shutil.copyfile(table.IMAGES_DIR / "apt_install.sh", folder / "apt_install.sh")
    if snapshot:
        (folder / "sources" / "debian.sources").write_text(debian_lock.sources(snapshot), encoding="utf-8")


def stage(spec: table.Image, variant: str, wheelhouse: str | None, arch: str = table.DEFAULT_ARCH,
          snapshot: str | None = None, context: Path | None = None) -> Path:
    context = context or STAGING / f"{spec.name}-{variant}{'' if arch == table.DEFAULT_ARCH else '-' + arch}"
    shutil.rmtree(context, ignore_errors=True)
    (context / "wheelhouse").mkdir(parents=True)
    shutil.copy2(spec.dockerfile, context / "Dockerfile")
    shutil.copy2(spec.lock_file(variant, arch), context / "requirements.lock")
    _stage_apt(context / "apt", arch, snapshot)
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


def _sha256(*files: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def labels(spec: table.Image, variant: str, base: str, os_image: str, arch: str,
           inputs: source.Source) -> dict[str, str]:
    snapshot = debian_lock.read(debian_lock.path(arch)).resolved
    return {**identity.labels(spec.name, variant, base_name=base, base_digest=builder.image_id(base),
                              lock_hash=lock.lock_hash(spec.name, variant, arch), revision=inputs.revision),
            **identity.build_labels(inputs, builder=builder.label(),
                                    debian_lock=files.sha256(debian_lock.path(arch)), debian_snapshot=snapshot,
                                    os_base=f"{os_image}@{builder.image_id(os_image)}")}


def build_args(spec: table.Image, variant: str, args: argparse.Namespace, parent: str, os_image: str,
               context: Path, inputs: source.Source) -> dict[str, str]:
    refs = identity.tags(spec.name, variant, arch=args.arch)
    lock_hash = lock.lock_hash(spec.name, variant, args.arch)
    values = {
        "TARGETARCH": TARGETARCH[args.arch],
        "SOURCE_DATE_EPOCH": str(inputs.epoch),
        # The lock and its installer, not the snapshot's sources: they give the same packages (no trace in the image).
        "MLF_DEBIAN_SHA256": _sha256(context / "apt" / "debian.lock", context / "apt" / "apt_install.sh"),
        "MLF_IMAGE_NAME": identity.repository(spec.name),
        "MLF_IMAGE_TAG": refs[0].partition(":")[2],
        "MLF_IMAGE_VARIANT": variant,
        "MLF_IMAGE_LOCK_HASH": lock_hash,
        "MLF_VERSION": identity.mlfcore_version(),
        "MLF_SOURCE": identity.source_url(),
        "MLF_REVISION": inputs.revision,
        "MLF_IMAGE_BUILD": json.dumps({
            "source": identity.source_url(), "revision": inputs.revision, "source_date_epoch": inputs.epoch,
            "dirty": inputs.dirty, "image": spec.name, "variant": variant, "arch": args.arch,
            # What `make image/<name>` builds, parents first, to rebuild this image.
            "chain": [f"{name}:{variant if variant in table.image(name).variants else table.image(name).variants[0]}"
                      for name in reversed(table.chain(spec.name))],
            "python_lock_sha256": lock_hash,
            "debian_lock_sha256": files.sha256(debian_lock.path(args.arch)),
            "debian_snapshot": debian_lock.read(debian_lock.path(args.arch)).resolved,
            "builder": builder.label()}, sort_keys=True, separators=(",", ":")),
    }
    if spec.parent:
        values.update(BASE_IMAGE=parent, OS_IMAGE=os_image, MLF_IMAGE_EXAMPLE=spec.example,
                      MLF_FRAMEWORK=spec.framework, MLF_FRAMEWORK_VERSION=spec.framework_version,
                      # framework.Dockerfile's ENV reads these: the parent's ENV shadows the MLF_IMAGE_* ARGs there
                      **{"MLF_OWN_" + key.removeprefix("MLF_"): values[key]
                         for key in ("MLF_IMAGE_NAME", "MLF_IMAGE_TAG", "MLF_IMAGE_VARIANT", "MLF_IMAGE_LOCK_HASH")})
    else:
        values.update(BASE_IMAGE=os_image, MLF_WHEEL_SHA256=_sha256(*(context / "dist").glob("*.whl")))
    return values


def build_image(args: argparse.Namespace) -> tuple[table.Image, str, float]:
    """Check, stage and build; the image id (nothing tagged yet) and the seconds the build took."""
    spec = check_inputs(args)  # what was asked for, before anything talks to the engine
    check_locks(spec, args.variant, args.arch)
    check_engine()
    host_defaults(args)
    check_inputs(args)  # and what the host's defaults added
    os_image = check_os_image(args)
    parent = check_parent(spec, args.variant, args.arch)
    try:
        inputs = source.of(table.ROOT)
    except source.SourceError as error:
        raise BuildError(str(error)) from None
    if inputs.dirty:
        print(f"note: {table.ROOT} has uncommitted changes: the image is labelled dirty "
              f"({identity.BUILD_LABELS['dirty']}=true), and no rebuild from commit {inputs.revision[:12]} gives it",
              file=sys.stderr)
    try:
        builder.ensure(os_image, snapshot=args.debian_snapshot or None)
        context = stage(spec, args.variant, args.wheelhouse, args.arch, args.debian_snapshot or None,
                        Path(args.context_dir) if args.context_dir else None)
    except (debian_lock.LockError, builder.BuilderError) as error:
        raise BuildError(str(error)) from None
    values = build_args(spec, args.variant, args, parent, os_image, context, inputs)
    started = time.monotonic()
    try:
        # NO_CACHE: no cached layer is used (buildah --no-cache), in the commit's storage, whose new layers then
        # serve later builds; --fresh-storage (rebuild-check): an empty storage, removed afterwards.
        fresh = builder.scratch_storage() if args.fresh_storage else nullcontext(builder.storage(inputs.epoch))
        with fresh as volume:
            image = builder.build(context, epoch=inputs.epoch, build_args=values,
                                  labels=labels(spec, args.variant, values["BASE_IMAGE"], os_image, args.arch, inputs),
                                  froms=[ref for ref in (os_image, parent) if ref], volume=volume,
                                  no_cache=args.no_cache or args.fresh_storage, ca_bundle=args.ca_bundle or None,
                                  platform=None if args.arch == table.DEFAULT_ARCH else table.ARCHES[args.arch])
            if args.no_tag:
                builder.to_engine(image, args.no_tag, volume)
            else:
                builder.to_engine(image, identity.tags(spec.name, args.variant, arch=args.arch)[0], volume)
    except builder.BuilderError as error:
        raise BuildError(f"building {spec.name}:{args.variant} failed: {error}") from None
    return spec, image, time.monotonic() - started


def build(args: argparse.Namespace) -> list[str]:
    spec, image, seconds = build_image(args)
    if args.no_tag:
        print(f"built {image} in {seconds:.0f} s as {args.no_tag} (no tag of {spec.name} changed)", file=sys.stderr)
        return [args.no_tag]
    refs = identity.tags(spec.name, args.variant, arch=args.arch)
    for ref in refs[1:]:
        if docker("tag", image, ref).returncode != 0:
            raise BuildError(f"tagging {image} as {ref} failed")
    size = int(docker("image", "inspect", "--format", "{{.Size}}", image).stdout.strip() or 0)
    print(f"built {refs[0]} in {seconds:.0f} s, {size / 1e6:.0f} MB, {image}; tags: "
          + " ".join(ref.partition(":")[2] for ref in refs), file=sys.stderr)
    return refs


def host_defaults(args: argparse.Namespace) -> None:
    """What this host's own pip already uses, for settings left empty (each is said on stderr): the CA bundle pip
    trusts (PIP_CERT) and a single wheelhouse folder pip finds links in (PIP_FIND_LINKS). Machines behind a
    proxy, without a registry, then build with plain `make`."""
    notes = []
    if not args.ca_bundle and os.environ.get("PIP_CERT"):
        args.ca_bundle = os.environ["PIP_CERT"]
        notes.append(f"CA_BUNDLE={args.ca_bundle} (PIP_CERT)")
    links = os.environ.get("PIP_FIND_LINKS", "").split()
    if not args.wheelhouse and len(links) == 1 and Path(links[0]).is_dir():
        args.wheelhouse = links[0]
        notes.append(f"WHEELHOUSE={args.wheelhouse} (PIP_FIND_LINKS)")
    if notes:
        print("using " + ", ".join(notes), file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    parsing = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parsing.add_argument("image")
    parsing.add_argument("--variant", default="cpu")
    parsing.add_argument("--wheelhouse", default="", help="a folder of wheels pip may install from")
    parsing.add_argument("--ca-bundle", default="", help="a proxy's CA bundle, passed as a build secret")
    parsing.add_argument("--base-image", default="", help="the OS base the image starts FROM (default: make os-base's)")
    parsing.add_argument("--arch", choices=sorted(table.ARCHES), default=table.DEFAULT_ARCH,
                         help="build for this architecture (its lock: make lock ARCH=; tagged with an -<arch> suffix)")
    parsing.add_argument("--no-cache", action="store_true", help="use no cached layer")
    parsing.add_argument("--fresh-storage", action="store_true",
                         help="build in an empty builder storage, removed afterwards (implies --no-cache)")
    parsing.add_argument("--debian-snapshot", default="",
                         help="take the Debian lock's versions from Debian's snapshot archive at this time")
    parsing.add_argument("--context-dir", default="", help="stage the build context here (default build/images/)")
    parsing.add_argument("--no-tag", default="", metavar="REF",
                         help="put the image into the engine as REF only, changing none of the image's tags")
    return parsing


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        build(args)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
