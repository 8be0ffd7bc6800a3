"""Write the Debian locks: the Debian half of `make lock` (`python -m mlfcore.scaffold.images.debian_resolve
[--arch A] [--snapshot TIME]`).

It bootstraps the OS base afresh (mlfcore.scaffold.images.os_base, unchecked), records its packages as the base lock's
[os], and asks apt in a container of it what the table's requests install (`apt-get install --simulate
--no-install-recommends`, apt's own resolution): the base's packages into images/base/debian.lock, the builder's
tools into images/builder/debian.lock. Both files are written only when everything resolved, and the new OS base
is tagged (the one these locks describe) only then. Today's versions come from Debian's mirror; with --snapshot
from its snapshot archive at that time.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from mlfcore.scaffold.images import builder, debian_lock, os_base, table

# apt-get's simulation: "Inst NAME [OLD] (NEW ARCHIVE [ARCH])" (apt-get(8), --simulate).
_INST = re.compile(r"^Inst (\S+) (?:\[\S+\] )?\((\S+) ")


def simulate(image: str, packages: list[str], *, snapshot: str | None, arch: str) -> tuple[dict[str, str], dict[str, str]]:
    """What `apt-get install PACKAGES` does in IMAGE: (packages installed or changed, name -> version; the image's
    own packages before)."""
    with tempfile.TemporaryDirectory(prefix="mlfcore-apt-") as sources:
        options = ""
        if snapshot:
            Path(sources, "debian.sources").write_text(debian_lock.sources(snapshot), encoding="utf-8")
            options = ("-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=/apt "
                       "-o Acquire::Check-Valid-Until=false")
        script = (f"apt-get {options} update -qq --error-on=any >&2 && dpkg-query -W -f '=${{Package}}=${{Version}}\\n' && "
                  f"apt-get {options} install --simulate --no-install-recommends {' '.join(packages)}")
        argv = ["run", "--rm", "-v", f"{sources}:/apt:ro"]
        if arch != table.DEFAULT_ARCH:
            argv += ["--platform", table.ARCHES[arch]]
        answer = builder.docker(*argv, image, "bash", "-c", script)
    if answer.returncode != 0:
        sys.stderr.write(answer.stderr[-3000:])
        raise debian_lock.LockError(f"apt could not resolve {' '.join(packages)} (its output is above)")
    before = dict(line[1:].split("=", 1) for line in answer.stdout.splitlines() if line.startswith("="))
    changed = {match[1]: match[2] for match in map(_INST.match, answer.stdout.splitlines()) if match}
    return changed, before


def resolved_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _write(path: Path, text: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def resolve_builder(image: str, *, arch: str = table.DEFAULT_ARCH, snapshot: str | None = None) -> Path:
    """The builder's tools for ARCH as apt installs them on IMAGE, a Debian image of that architecture."""
    tools = debian_lock.request(builder=True)
    changed, before = simulate(image, tools, snapshot=snapshot, arch=arch)
    # A requested tool the image has already (tar) is pinned at that version too.
    changed.update({name: before[name] for name in tools if name not in changed and name in before})
    lock = debian_lock.Lock(request=tools, resolved=snapshot or resolved_now(), install=changed)
    _write(debian_lock.builder_path(arch), debian_lock.render(
        lock, f"the builder's tools on {arch} (images/builder/Dockerfile installs exactly these)"))
    return debian_lock.builder_path(arch)


def resolve(*, arch: str = table.DEFAULT_ARCH, snapshot: str | None = None, tag: str | None = None) -> list[Path]:
    """The locks of ARCH: the builder's, the images' (and TAG, the OS base, moved to the new one). On this machine's
    architecture the builder's lock comes first, since the OS base is bootstrapped with the builder it pins; for
    another one, the builder of this machine bootstraps that architecture (emulated) and its builder lock is
    resolved in that OS base."""
    tag = tag or os_base.default_tag(arch)
    written = []
    if arch == debian_lock.host_arch():
        written.append(resolve_builder(builder.seed(tag), arch=arch, snapshot=snapshot))
    builder.ensure(tag, snapshot=snapshot)
    scratch = f"{tag}-resolving"
    try:
        boot = os_base.make(scratch, snapshot=snapshot, arch=arch, check=False)
        wanted = debian_lock.request()
        installs, _ = simulate(scratch, wanted, snapshot=snapshot, arch=arch)
        lock = debian_lock.Lock(request=wanted, resolved=snapshot or resolved_now(), os=boot.packages,
                                install=installs)
        _write(debian_lock.path(arch), debian_lock.render(
            lock, f"every Debian package of images/images.toml's images on {arch}: [os] the OS base's (make "
                  "os-base), [install] what the base's request adds"))
        written.append(debian_lock.path(arch))
        if arch != debian_lock.host_arch():
            written.append(resolve_builder(scratch, arch=arch, snapshot=snapshot))
        # The OS base these locks describe becomes the OS base, only now that they are written.
        if builder.docker("tag", scratch, tag).returncode != 0:
            raise debian_lock.LockError(f"tagging the new OS base as {tag} failed")
        return written
    finally:
        builder.docker("image", "rm", scratch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(os_base.DEBIAN_ARCH), default=table.DEFAULT_ARCH)
    parser.add_argument("--snapshot", default="", help="resolve in Debian's snapshot archive at this time")
    parser.add_argument("--tag", default="", help="the OS base to move to the new one (default: images.toml os_image)")
    args = parser.parse_args(argv)
    try:
        for path in resolve(arch=args.arch, snapshot=args.snapshot or None, tag=args.tag or None):
            print(path.relative_to(table.ROOT))
    except (debian_lock.LockError, os_base.OsBaseError, builder.BuilderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
