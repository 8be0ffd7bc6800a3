"""cgroup v1 and v2 limits, read from fake /proc and /sys files in tmp_path."""

from __future__ import annotations

from pathlib import Path

from mlfcore.entrypoint.sysinfo import cgroup


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _proc(tmp_path: Path, cgroup_text: str, mounts: list[str]) -> tuple[Path, Path]:
    proc_cgroup, mountinfo = tmp_path / "proc" / "cgroup", tmp_path / "proc" / "mountinfo"
    _write(proc_cgroup, cgroup_text)
    _write(mountinfo, "\n".join(mounts) + "\n")
    return proc_cgroup, mountinfo


def _v1_mount(point: Path, controllers: str, root: str = "/") -> str:
    return f"35 31 0:32 {root} {point} rw,relatime - cgroup cgroup rw,{controllers}"


def _v2_mount(point: Path, root: str = "/") -> str:
    return f"41 31 0:38 {root} {point} rw,relatime - cgroup2 cgroup2 rw"


def test_v1_cpu_quota_and_memory_limit(tmp_path):
    sys_cpu, sys_memory = tmp_path / "sys" / "cpu,cpuacct", tmp_path / "sys" / "memory"
    _write(sys_cpu / "docker" / "abc" / "cpu.cfs_quota_us", "150000\n")
    _write(sys_cpu / "docker" / "abc" / "cpu.cfs_period_us", "100000\n")
    _write(sys_memory / "docker" / "abc" / "memory.limit_in_bytes", str(512 * 2**20))
    files = _proc(tmp_path, "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n",
                  [_v1_mount(sys_cpu, "cpu,cpuacct"), _v1_mount(sys_memory, "memory")])
    found = cgroup.limits(*files)
    assert found["cpu"] == {"cgroup": "v1", "quota_cpus": 1.5, "path": str(sys_cpu / "docker" / "abc")}
    assert found["memory"]["cgroup"] == "v1" and found["memory"]["limit_bytes"] == 512 * 2**20


def test_v1_unlimited_reads_as_none(tmp_path):
    sys_cpu, sys_memory = tmp_path / "cpu", tmp_path / "memory"
    _write(sys_cpu / "cpu.cfs_quota_us", "-1")
    _write(sys_cpu / "cpu.cfs_period_us", "100000")
    _write(sys_memory / "memory.limit_in_bytes", "9223372036854771712")  # LONG_MAX rounded to a page
    files = _proc(tmp_path, "3:cpu:/\n4:memory:/\n", [_v1_mount(sys_cpu, "cpu"), _v1_mount(sys_memory, "memory")])
    found = cgroup.limits(*files)
    assert found["cpu"]["quota_cpus"] is None and found["memory"]["limit_bytes"] is None


def test_v1_inside_a_container_the_mount_point_is_the_cgroup(tmp_path):
    # /proc/self/cgroup names the host's path, which does not exist under the container's mount: the mount point
    # itself is the container's cgroup.
    sys_cpu = tmp_path / "cpu"
    _write(sys_cpu / "cpu.cfs_quota_us", "50000")
    _write(sys_cpu / "cpu.cfs_period_us", "100000")
    files = _proc(tmp_path, "3:cpu:/docker/0123456789\n", [_v1_mount(sys_cpu, "cpu", root="/docker/0123456789")])
    assert cgroup.limits(*files)["cpu"]["quota_cpus"] == 0.5


def test_v2_cpu_max_and_memory_max(tmp_path):
    unified = tmp_path / "unified"
    _write(unified / "cgroup.controllers", "cpu memory\n")
    _write(unified / "user.slice" / "job" / "cpu.max", "200000 100000\n")
    _write(unified / "user.slice" / "job" / "memory.max", "1073741824\n")
    files = _proc(tmp_path, "0::/user.slice/job\n", [_v2_mount(unified)])
    found = cgroup.limits(*files)
    assert found["cpu"] == {"cgroup": "v2", "quota_cpus": 2.0, "path": str(unified / "user.slice" / "job")}
    assert found["memory"]["limit_bytes"] == 2**30


def test_v2_max_means_no_limit(tmp_path):
    unified = tmp_path / "unified"
    _write(unified / "cpu.max", "max 100000\n")
    _write(unified / "memory.max", "max\n")
    files = _proc(tmp_path, "0::/\n", [_v2_mount(unified)])
    found = cgroup.limits(*files)
    assert (found["cpu"]["quota_cpus"], found["memory"]["limit_bytes"]) == (None, None)


def test_v2_the_tightest_ancestor_wins(tmp_path):
    unified = tmp_path / "unified"
    _write(unified / "parent" / "memory.max", str(2**30))
    _write(unified / "parent" / "child" / "memory.max", str(4 * 2**30))
    _write(unified / "parent" / "cpu.max", "max 100000")
    _write(unified / "parent" / "child" / "cpu.max", "300000 100000")
    files = _proc(tmp_path, "0::/parent/child\n", [_v2_mount(unified)])
    found = cgroup.limits(*files)
    assert found["memory"]["limit_bytes"] == 2**30 and found["cpu"]["quota_cpus"] == 3.0


def test_hybrid_prefers_the_v1_controller(tmp_path):
    # This project's machine: v1 controllers plus an empty v2 hierarchy at /sys/fs/cgroup/unified.
    sys_cpu, unified = tmp_path / "cpu", tmp_path / "unified"
    _write(sys_cpu / "cpu.cfs_quota_us", "100000")
    _write(sys_cpu / "cpu.cfs_period_us", "100000")
    unified.mkdir()
    files = _proc(tmp_path, "1:cpu:/\n0::/\n", [_v1_mount(sys_cpu, "cpu"), _v2_mount(unified)])
    found = cgroup.limits(*files)
    assert found["cpu"]["cgroup"] == "v1" and found["cpu"]["quota_cpus"] == 1.0
    assert found["memory"]["cgroup"] == "v2" and found["memory"]["limit_bytes"] is None


def test_mount_points_with_spaces_are_unescaped(tmp_path):
    sys_cpu = tmp_path / "with space" / "cpu"
    _write(sys_cpu / "cpu.cfs_quota_us", "250000")
    _write(sys_cpu / "cpu.cfs_period_us", "100000")
    escaped = str(sys_cpu).replace(" ", "\\040")
    files = _proc(tmp_path, "3:cpu:/\n", [f"35 31 0:32 / {escaped} rw - cgroup cgroup rw,cpu"])
    assert cgroup.limits(*files)["cpu"]["quota_cpus"] == 2.5


def test_no_hierarchy_for_a_controller_says_so(tmp_path):
    files = _proc(tmp_path, "3:cpu:/\n", [])
    found = cgroup.limits(*files)
    assert found["cpu"]["cgroup"] is None and "no cgroup hierarchy" in found["cpu"]["reason"]


def test_garbage_in_the_limit_files_reads_as_no_limit(tmp_path):
    unified = tmp_path / "unified"
    _write(unified / "cpu.max", "lots\n")
    _write(unified / "memory.max", "\x00\x01")
    files = _proc(tmp_path, "0::/\n", [_v2_mount(unified)])
    found = cgroup.limits(*files)
    assert (found["cpu"]["quota_cpus"], found["memory"]["limit_bytes"]) == (None, None)


def test_missing_proc_files_give_a_reason_not_an_error(tmp_path):
    found = cgroup.limits(tmp_path / "nope" / "cgroup", tmp_path / "nope" / "mountinfo")
    assert found["cpu"]["cgroup"] is None and "cgroups unreadable" in found["cpu"]["reason"]
    assert found["memory"]["limit_bytes"] is None and found["memory"]["reason"]


def test_this_machine_reads_without_error():
    found = cgroup.limits()
    for section in found.values():
        assert section["cgroup"] in {"v1", "v2", None}
        assert section["cgroup"] is not None or section["reason"]


def test_a_path_missing_under_the_mount_falls_back_to_the_mount_point(tmp_path):
    sys_memory = tmp_path / "memory"
    _write(sys_memory / "memory.limit_in_bytes", str(3 * 2**30))
    files = _proc(tmp_path, "4:memory:/host/path/that/is/not/here\n", [_v1_mount(sys_memory, "memory")])
    found = cgroup.limits(*files)
    assert found["memory"]["limit_bytes"] == 3 * 2**30 and found["memory"]["path"] == str(sys_memory)
