"""cgroup limits: the CPU quota (`docker run --cpus`) and the memory limit (`--memory`), v1 and v2.

Where the files are: /proc/self/cgroup names this process's cgroup per controller ("ID:controllers:path", "0::path"
for v2); /proc/self/mountinfo says where each hierarchy is mounted and which part of it (the mount root). Inside a
container the mount root is usually the container's own cgroup, so the path from /proc/self/cgroup may not exist
under the mount point: then the mount point itself is the container's cgroup (observed on this project's machine:
memory path /process_api/<id>, hierarchy mounted with root "/", both resolve).

A limit can be set on any ancestor, so the tightest value from the process's cgroup up to the mount point wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROC_CGROUP = Path("/proc/self/cgroup")
PROC_MOUNTINFO = Path("/proc/self/mountinfo")

# memory.limit_in_bytes reads as LONG_MAX rounded down to a page (9223372036854771712) when unlimited; anything this
# large is "no limit" (no machine has an exabyte of memory).
_UNLIMITED_BYTES = 2**60


@dataclass(frozen=True)
class Mount:
    point: Path
    root: str
    version: int  # 1 or 2
    controllers: frozenset[str]


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (proc(5)).
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def parse_mountinfo(text: str) -> list[Mount]:
    """The cgroup hierarchies among the mounts of /proc/self/mountinfo."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or len(tail) < 3:
            continue
        fstype, options = tail[0], tail[2].split(",")
        if fstype == "cgroup2":
            mounts.append(Mount(Path(_unescape(fields[4])), _unescape(fields[3]), 2, frozenset()))
        elif fstype == "cgroup":
            mounts.append(Mount(Path(_unescape(fields[4])), _unescape(fields[3]), 1, frozenset(options)))
    return mounts


def parse_proc_cgroup(text: str) -> dict[str, str]:
    """Controller → cgroup path from /proc/self/cgroup; the v2 unified hierarchy is under the key ""."""
    paths = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if not controllers:
            paths[""] = path
        for name in controllers.split(","):
            if name:
                paths[name] = path
    return paths


def _resolve(mount: Mount, path: str) -> Path:
    relative = path[len(mount.root):] if path.startswith(mount.root) else path
    candidate = mount.point / relative.lstrip("/")
    return candidate if candidate.is_dir() else mount.point


def _chain(directory: Path, top: Path) -> list[Path]:
    """`directory` and its ancestors up to and including `top`."""
    chain = [directory]
    while directory != top and top in directory.parents:
        directory = directory.parent
        chain.append(directory)
    return chain


def _locate(controller: str, mounts: list[Mount], paths: dict[str, str]) -> tuple[int, list[Path]] | None:
    """(version, directories from the process's cgroup to the mount point) for `controller`, v1 before v2."""
    for mount in mounts:
        if mount.version == 1 and controller in mount.controllers and controller in paths:
            return 1, _chain(_resolve(mount, paths[controller]), mount.point)
    for mount in mounts:
        if mount.version == 2 and "" in paths:
            return 2, _chain(_resolve(mount, paths[""]), mount.point)
    return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _cpu_quota_at(version: int, directory: Path) -> float | None:
    """CPUs' worth of time allowed per period at one level, None when unlimited or unreadable."""
    if version == 2:
        raw = _read(directory / "cpu.max")  # "max 100000" or "150000 100000"
        quota, _, period = (raw or "max").partition(" ")
    else:
        quota, period = _read(directory / "cpu.cfs_quota_us") or "-1", _read(directory / "cpu.cfs_period_us") or ""
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def _memory_limit_at(version: int, directory: Path) -> int | None:
    raw = _read(directory / ("memory.max" if version == 2 else "memory.limit_in_bytes"))
    try:
        limit = int(raw or "max")
    except ValueError:  # "max": unlimited
        return None
    return limit if 0 < limit < _UNLIMITED_BYTES else None


def _tightest(values: list) -> object:
    found = [value for value in values if value is not None]
    return min(found) if found else None


def limits(proc_cgroup: Path | None = None, mountinfo: Path | None = None) -> dict:
    """{"cpu": {...}, "memory": {...}}: each says the cgroup version, the limit (None: none) and where it came from."""
    proc_cgroup, mountinfo = proc_cgroup or PROC_CGROUP, mountinfo or PROC_MOUNTINFO
    try:
        paths = parse_proc_cgroup(proc_cgroup.read_text(encoding="utf-8"))
        mounts = parse_mountinfo(mountinfo.read_text(encoding="utf-8"))
    except OSError as err:
        reason = f"cgroups unreadable: {err.strerror or err} ({err.filename or proc_cgroup}); not Linux?"
        return {"cpu": {"cgroup": None, "quota_cpus": None, "reason": reason},
                "memory": {"cgroup": None, "limit_bytes": None, "reason": reason}}
    return {"cpu": _controller("cpu", mounts, paths, _cpu_quota_at, "quota_cpus"),
            "memory": _controller("memory", mounts, paths, _memory_limit_at, "limit_bytes")}


def _controller(name: str, mounts: list[Mount], paths: dict[str, str], read, field: str) -> dict:
    located = _locate(name, mounts, paths)
    if located is None:
        return {"cgroup": None, field: None, "reason": f"no cgroup hierarchy with the {name} controller is mounted"}
    version, chain = located
    return {"cgroup": f"v{version}", field: _tightest([read(version, directory) for directory in chain]),
            "path": str(chain[0])}
