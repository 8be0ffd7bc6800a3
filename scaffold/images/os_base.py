"""The OS base every image starts FROM: `make os-base [OS_BASE=] [DEBIAN_SNAPSHOT=] [ARCH=]`, which runs
`python -m mlfcore.scaffold.images.os_base [--tag T] [--snapshot TIME] [--arch A]`.

Debian's minbase of the suite, bootstrapped by debuerreotype in the builder (images/builder/os_base.sh), checked
against the lock's [os] section, and loaded into the Docker engine with a configuration written here: the tarball's
hash, the suite's Release date as its creation time, a fixed history line. Nothing in it depends on the machine or
the moment, so the same packages give the same tarball and the same image id (`docker import` would stamp the
import's time). Registry-free: the packages come from Debian's mirror, or from its snapshot archive at
DEBIAN_SNAPSHOT, which gives the same tarball for the same packages. Prints the tarball's sha256 and the image id.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mlfcore.entrypoint import files
from mlfcore.scaffold.images import builder, debian_lock, table

# Debian's names for the architectures of the table.
DEBIAN_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class OsBaseError(Exception):
    """The bootstrap failed or gave other packages than the lock's; the message says what to do."""


@dataclass(frozen=True)
class Bootstrapped:
    tarball: Path
    packages: dict[str, str]
    epoch: int
    debuerreotype: str

    @property
    def digest(self) -> str:
        return files.sha256(self.tarball)


def default_tag(arch: str = table.DEFAULT_ARCH) -> str:
    return table.RAW["os_image"] + ("" if arch == table.DEFAULT_ARCH else f"-{arch}")


def bootstrap(folder: Path, *, snapshot: str | None = None, arch: str = table.DEFAULT_ARCH) -> Bootstrapped:
    """debuerreotype in the builder, into FOLDER (rootfs.tar, packages, epoch)."""
    mirror = debian_lock.snapshot_mirror(snapshot) if snapshot else table.DEBIAN["mirror"]
    (folder / "debian.sources").write_text(debian_lock.sources(), encoding="utf-8")
    script = (f"bash /images/builder/os_base.sh {table.DEBIAN['suite']} {mirror} {DEBIAN_ARCH[arch]} {builder.OUT}")
    code, output = builder.run(script, mounts=((str(table.IMAGES_DIR), "/images", False),
                                                (str(folder), builder.OUT, True)), stream=False)
    if code != 0:
        sys.stderr.write("\n".join(output[-20:]) + "\n")
        raise OsBaseError(builder.explain(output) or f"bootstrapping Debian {table.DEBIAN['suite']} from {mirror} "
                                                     "failed (the output is above)")
    packages = dict(line.split("=", 1) for line in (folder / "packages").read_text().split())
    return Bootstrapped(folder / "rootfs.tar", packages, int((folder / "epoch").read_text()),
                        (folder / "version").read_text().strip())


# The history line every OS base this module made carries (the build checks its OS base by it).
MARK = "(mlfcore.scaffold.images.os_base)"


def made_here(image: str) -> bool:
    """Whether IMAGE is an OS base `make os-base` made: its one history line is ours (an image built FROM it has
    more lines, the newest first)."""
    history = builder.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image)
    lines = history.stdout.strip().splitlines()
    return history.returncode == 0 and len(lines) == 1 and MARK in lines[0]


def config(boot: Bootstrapped, arch: str) -> bytes:
    """The image configuration (OCI image-spec config.md): one layer, the suite's Release date as its time."""
    created = datetime.fromtimestamp(boot.epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {
        "architecture": DEBIAN_ARCH[arch], "os": "linux",
        "config": {"Env": [f"PATH={PATH}"], "Cmd": ["bash"]},
        "created": created,
        "history": [{"created": created, "created_by": f"{boot.debuerreotype}: Debian {table.DEBIAN['suite']} "
                                                        f"minbase {MARK}"}],
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{boot.digest}"]},
    }
    if arch == "aarch64":
        body["variant"] = "v8"
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def load(boot: Bootstrapped, tag: str, arch: str) -> str:
    """`docker load` of a docker-archive holding the tarball as its one layer; the engine's image id is the sha256
    of the configuration, checked."""
    data = config(boot, arch)
    config_name = hashlib.sha256(data).hexdigest() + ".json"
    layer_name = f"{boot.digest}/layer.tar"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [tag], "Layers": [layer_name]}]).encode()
    with tempfile.TemporaryFile() as archive:
        with tarfile.open(fileobj=archive, mode="w") as out:
            for name, body in ((config_name, data), ("manifest.json", manifest)):
                info = tarfile.TarInfo(name)
                info.size = len(body)
                out.addfile(info, io.BytesIO(body))
            out.add(str(boot.tarball), arcname=layer_name)
        archive.seek(0)
        if builder.docker("load", "--quiet", stdin=archive).returncode != 0:
            raise OsBaseError(f"docker load of the OS base as {tag} failed")
    expected = "sha256:" + hashlib.sha256(data).hexdigest()
    if builder.image_id(tag) != expected:
        raise OsBaseError(f"the engine gave {tag} the id {builder.image_id(tag)}, not {expected}")
    return expected


def differences(found: dict[str, str], locked: dict[str, str]) -> list[str]:
    return sorted([f"{name} {found.get(name, 'absent')} (lock: {locked.get(name, 'absent')})"
                   for name in set(found) | set(locked) if found.get(name) != locked.get(name)])


@dataclass(frozen=True)
class Made:
    tag: str
    tarball_sha256: str
    image_id: str
    packages: dict[str, str]


def make(tag: str, *, snapshot: str | None = None, arch: str = table.DEFAULT_ARCH, check: bool = True) -> Made:
    """Bootstrap, check against the lock's [os] (unless CHECK is off: `make lock` writes it from this), load as TAG.
    Nothing is tagged when the packages differ."""
    lock = debian_lock.check(debian_lock.path(arch), debian_lock.request(), arch) if check else None
    builder.ensure(snapshot=snapshot)
    with tempfile.TemporaryDirectory(prefix="mlfcore-os-base-") as folder:
        boot = bootstrap(Path(folder), snapshot=snapshot, arch=arch)
        if lock is not None and boot.packages != lock.os:
            wrong = differences(boot.packages, lock.os)
            where = f"Debian's snapshot archive at {snapshot}" if snapshot else f"{table.DEBIAN['mirror']} today"
            raise OsBaseError(f"{where} bootstraps other packages than {debian_lock.shown(debian_lock.path(arch))} "
                              f"({len(wrong)}, first: {wrong[0]}): build with DEBIAN_SNAPSHOT={lock.resolved}, or "
                              "run `make lock`")
        return Made(tag, boot.digest, load(boot, tag, arch), boot.packages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="", help="the image's tag (default: images.toml os_image)")
    parser.add_argument("--snapshot", default="", help="Debian's snapshot archive at this time (YYYYMMDDTHHMMSSZ)")
    parser.add_argument("--arch", choices=sorted(DEBIAN_ARCH), default=table.DEFAULT_ARCH)
    args = parser.parse_args(argv)
    tag = args.tag or default_tag(args.arch)
    try:
        made = make(tag, snapshot=args.snapshot or None, arch=args.arch)
    except (OsBaseError, debian_lock.LockError, builder.BuilderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"error: {' '.join(error.cmd)} failed with exit {error.returncode}", file=sys.stderr)
        return 1
    print(f"{tag}: tarball sha256:{made.tarball_sha256}, image {made.image_id}", file=sys.stderr)
    print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
