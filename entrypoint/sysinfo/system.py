"""The operating system, kernel, C library, Python, and whether this runs in a container (and which image)."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from .. import variables
from . import image as image_identity

OS_RELEASE = (Path("/etc/os-release"), Path("/usr/lib/os-release"))

# Files container engines leave behind: Docker creates /.dockerenv, Podman /run/.containerenv.
CONTAINER_FILES = (Path("/.dockerenv"), Path("/run/.containerenv"))
# Words in /proc/1/cgroup that name a container runtime (cgroup v1 and v2 without a cgroup namespace).
CONTAINER_CGROUP_WORDS = ("docker", "kubepods", "containerd", "libpod", "lxc")
PROC_1_CGROUP = Path("/proc/1/cgroup")



def os_release(paths: tuple[Path, ...] | None = None) -> dict:
    """ID, VERSION_ID and PRETTY_NAME from os-release(5); a reason when there is none (not Linux)."""
    paths = OS_RELEASE if paths is None else paths
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        values = {}
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip().strip("\"'")
        return {"id": values.get("ID"), "version_id": values.get("VERSION_ID"),
                "pretty_name": values.get("PRETTY_NAME"), "source": str(path)}
    return {"id": None, "version_id": None, "pretty_name": None,
            "reason": f"no os-release file ({', '.join(map(str, paths))}); {platform.system()} is not Linux?"}


def libc() -> dict:
    """The C library and its version. glibc answers confstr(); musl and non-Linux systems do not."""
    try:
        found = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        found = None
    if found:
        name, _, version = found.partition(" ")
        return {"name": name, "version": version}
    name, version = platform.libc_ver()
    if name:
        return {"name": name, "version": version}
    return {"name": None, "version": None, "reason": "not glibc (musl, macOS or Windows): no version reported"}


def container(environ=None, files: tuple[Path, ...] | None = None, proc_1_cgroup: Path | None = None,
              manifest_dir: Path = image_identity.MANIFEST_DIR, installed: dict[str, str] | None = None) -> dict:
    """Whether this is a container, the evidence, and the image facts baked into mlfcore's images."""
    environ = os.environ if environ is None else environ
    files, proc_1_cgroup = CONTAINER_FILES if files is None else files, proc_1_cgroup or PROC_1_CGROUP
    evidence = [f"{path} exists" for path in files if path.exists()]
    if environ.get("container"):  # set by systemd-nspawn, Podman and LXC
        evidence.append(f"container={environ['container']}")
    if environ.get("KUBERNETES_SERVICE_HOST"):
        evidence.append("KUBERNETES_SERVICE_HOST is set")
    try:
        text = proc_1_cgroup.read_text(encoding="utf-8")
        evidence += [f"{proc_1_cgroup} mentions {word}" for word in CONTAINER_CGROUP_WORDS if word in text]
    except OSError:
        pass
    # An image cannot know its own digest: sysinfo/image.py identifies it by its installed package sets.
    image = image_identity.collect(environ, manifest_dir, installed)
    if image["manifest"]:
        derived = ", or one built FROM it" if image["derived"] else ""
        evidence.append(f"{image['manifest']} exists (an mlfcore image{derived})")
    elif image["name"]:
        evidence.append(f"{variables.MLF_IMAGE_NAME} is set (an mlfcore image)")
    return {"inside": bool(evidence), "evidence": evidence, "image": image}


def python() -> dict:
    return {"version": platform.python_version(), "implementation": platform.python_implementation(),
            "executable": sys.executable, "prefix": sys.prefix}


def collect(installed: dict[str, str] | None = None) -> dict:
    """The system section of the record; `installed` (sysinfo/packages.py), when the caller has read it already,
    saves reading every distribution's metadata a second time (measured: 170 ms in the xgboost image)."""
    return {
        "os": platform.system(),
        "kernel": platform.release(),
        "kernel_version": platform.version(),
        "distribution": os_release(),
        "libc": libc(),
        "python": python(),
        "container": container(installed=installed),
    }
