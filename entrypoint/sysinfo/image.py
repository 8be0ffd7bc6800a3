"""Which image this is. A container cannot read its own digest, so an image is recognised by what is installed.

At build time each mlfcore image writes a manifest (`python -m mlfcore.entrypoint.sysinfo.image write DIR`): its
name, tag, variant and lock hash, its build inputs (the commit, its time, whether the checkout was dirty, the
locks' hashes, the Debian snapshot time, the builder: what a rebuild needs when the image cannot be pulled), every
Python distribution and every Debian package with its version, and a
constraints file with one `name==version` pin per Python distribution (`pip install -c` keeps every pin in an image
built FROM ours). At run time the installed sets are hashed again and compared with the manifest:

- equal: this is the image the manifest names;
- different: an image built FROM it (a "derived" image). It inherits the parent's MLF_IMAGE_* variables, so those
  no longer name it: the record says `derived`, names the parent, lists what differs, and gives no name or tag of
  its own unless the host passes them in (MLF_IMAGE_REF, MLF_IMAGE_DIGEST).

The Debian set is read from dpkg's status file (dpkg(1): /var/lib/dpkg/status), not by running dpkg-query: a file
read costs nothing, and a slim image may lack dpkg-query's locale data.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from .. import variables
from . import packages

MANIFEST_DIR = Path("/opt/mlfcore")
MANIFEST_NAME = "manifest.json"
CONSTRAINTS_NAME = "constraints.txt"
DPKG_STATUS = Path("/var/lib/dpkg/status")
MANIFEST_VERSION = 1
# How many differing packages a record lists: enough to say why, without copying a whole package list.
SHOWN_DIFFERENCES = 20

# The facts baked as environment variables (variables.py): the manifest repeats them, so an image whose manifest
# is missing (built before manifests existed) is still named by them.
IMAGE_VARIABLES = {
    "name": variables.MLF_IMAGE_NAME,
    "tag": variables.MLF_IMAGE_TAG,
    "variant": variables.MLF_IMAGE_VARIANT,
    "lock_hash": variables.MLF_IMAGE_LOCK_HASH,
}


def debian_packages(status: Path = DPKG_STATUS) -> dict[str, str]:
    """Installed Debian packages: name (with `:arch` for foreign architectures) → version; {} without dpkg."""
    try:
        text = status.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, str] = {}
    for stanza in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and line[:1] != " ")
        if fields.get("Status", "").endswith(" installed") and "Package" in fields and "Version" in fields:
            found[fields["Package"]] = fields["Version"]
    return dict(sorted(found.items()))


def set_hash(installed: Mapping[str, str]) -> str:
    """sha256 of `name==version` lines, sorted by name: the identity of a package set."""
    text = "".join(f"{name}=={version}\n" for name, version in sorted(installed.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _baked(environ: Mapping[str, str]) -> dict:
    return {field: environ.get(name) or None for field, name in IMAGE_VARIABLES.items()}


def _build_inputs(environ: Mapping[str, str]) -> dict | None:
    try:
        found = json.loads(environ.get(variables.MLF_IMAGE_BUILD) or "null")
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def build_manifest(environ: Mapping[str, str] | None = None) -> dict:
    """The manifest of the image being built: what the build arguments name it, how it was built, what is
    installed."""
    environ = os.environ if environ is None else environ
    python_set, debian_set = packages.installed(), debian_packages()
    return {"manifest_version": MANIFEST_VERSION, "image": _baked(environ), "build": _build_inputs(environ),
            "python": {"sha256": set_hash(python_set), "packages": python_set},
            "debian": {"sha256": set_hash(debian_set), "packages": debian_set}}


def constraints(manifest: dict) -> str:
    """A pip constraints file pinning every Python distribution of the image (pip's `-c`)."""
    image = manifest["image"]
    header = (f"# Every Python distribution of {image.get('name')}:{image.get('tag')}, pinned. In an image built FROM "
              f"it:\n#   pip install -c /opt/mlfcore/{CONSTRAINTS_NAME} PACKAGE\n")
    return header + "".join(f"{name}=={version}\n" for name, version in manifest["python"]["packages"].items())


def write(directory: Path) -> dict:
    """Write the manifest and the constraints file into `directory` (the image build's last step)."""
    manifest = build_manifest()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (directory / CONSTRAINTS_NAME).write_text(constraints(manifest), encoding="utf-8")
    return manifest


def read_manifest(directory: Path = MANIFEST_DIR) -> dict | None:
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("image"), dict) else None


def differences(built: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """What differs between two package sets: `+name==v` added, `-name==v` removed, `name a -> b` changed."""
    found = [f"+{name}=={now[name]}" for name in now if name not in built]
    found += [f"-{name}=={built[name]}" for name in built if name not in now]
    found += [f"{name} {built[name]} -> {now[name]}" for name in built if name in now and built[name] != now[name]]
    return sorted(found, key=lambda entry: entry.lstrip("+-"))


def collect(environ: Mapping[str, str] | None = None, directory: Path = MANIFEST_DIR,
            installed: Mapping[str, str] | None = None, status: Path = DPKG_STATUS) -> dict:
    """The image section of the record (system.container.image)."""
    environ = os.environ if environ is None else environ
    python_set = dict(packages.installed() if installed is None else installed)
    debian_set = debian_packages(status)
    section = {**_baked(environ), "ref": environ.get(variables.MLF_IMAGE_REF) or None,
               "digest": environ.get(variables.MLF_IMAGE_DIGEST) or None,
               "manifest": None, "derived": None, "parent": None, "differences": [], "build": None,
               "packages_sha256": set_hash(python_set), "debian_sha256": set_hash(debian_set)}
    manifest = read_manifest(directory)
    if manifest is None:
        return section
    built = manifest["image"]
    section["manifest"] = str(directory / MANIFEST_NAME)
    found = differences(manifest.get("python", {}).get("packages", {}), python_set)
    found += [f"debian {entry}" for entry in differences(manifest.get("debian", {}).get("packages", {}), debian_set)]
    section["derived"] = bool(found)
    # The build inputs describe the image the manifest names: this one, or the parent of a derived one.
    section["build"] = manifest.get("build") if isinstance(manifest.get("build"), dict) else None
    if not found:
        return {**section, **{field: built.get(field) for field in IMAGE_VARIABLES}}
    # Built FROM ours: the inherited variables name the parent, not this image.
    section.update(name=None, tag=None, lock_hash=None, parent=_reference(built.get("name"), built.get("tag")),
                   differences=found[:SHOWN_DIFFERENCES] + ([f"... and {len(found) - SHOWN_DIFFERENCES} more"]
                                                            if len(found) > SHOWN_DIFFERENCES else []))
    return section


def _reference(name: str | None, tag: str | None) -> str | None:
    return f"{name}:{tag}" if name and tag and tag != "unknown" else None


def reference(section: Mapping | None) -> str | None:
    """The image a run ran in, as `docker run` takes it: the ref the host passed, else (our own images) name:tag,
    with @digest when the host passed one. None for a derived image the host did not name, and outside images."""
    if not isinstance(section, Mapping):
        return None
    ref = section.get("ref") or _reference(section.get("name"), section.get("tag"))
    if ref and section.get("digest") and "@" not in ref:
        return f"{ref}@{section['digest']}"
    return ref


def rebuild_lines(section: Mapping | None) -> list[str]:
    """How to rebuild the image a run ran in from its source when it cannot be pulled (our images; for a derived
    image, its parent): the commit, the make targets, parents first, and the Debian snapshot for when the mirror no
    longer has the locked versions. [] when the record has no build inputs."""
    build = section.get("build") if isinstance(section, Mapping) else None
    if not isinstance(build, dict) or not build.get("revision") or not build.get("chain"):
        return []
    what = f"its parent {section.get('parent')}" if section.get("derived") else "the image"
    if build.get("dirty"):
        return [f"{what} was built from uncommitted changes of commit {build['revision'][:12]}: no rebuild gives it"]
    snapshot = build.get("debian_snapshot")
    arch = f" ARCH={build['arch']}" if build.get("arch") not in (None, "x86_64") else ""
    targets = " && ".join(f"make image/{name} VARIANT={variant} NO_CACHE=1{arch}"
                          for name, _, variant in (item.partition(":") for item in build["chain"]))
    lines = [f"if `docker pull` cannot get {what}, rebuild it from commit {build['revision']} (the same commit gives "
             "the same image id):",
             f"  git clone {build.get('source', '<source>')} mlfcore && cd mlfcore && git checkout {build['revision']}",
             f"  make os-base{arch} && {targets}"]
    if snapshot:
        lines.append(f"  (when Debian's mirror no longer has the locked packages: DEBIAN_SNAPSHOT={snapshot} on both "
                     "make lines)")
    return lines


def main(argv: list[str]) -> int:
    """`python -m mlfcore.entrypoint.sysinfo.image write DIR`: run once, at the end of an image build."""
    if len(argv) != 2 or argv[0] != "write":
        print("usage: python -m mlfcore.entrypoint.sysinfo.image write DIR", file=sys.stderr)
        return 2
    manifest = write(Path(argv[1]))
    print(f"{argv[1]}: {len(manifest['python']['packages'])} Python and {len(manifest['debian']['packages'])} "
          "Debian packages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
