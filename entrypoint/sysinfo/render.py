"""Records and diffs as text: JSON and YAML for programs, a table for people."""

from __future__ import annotations

import json


def to_json(data) -> str:
    return json.dumps(data, indent=2) + "\n"


def to_yaml(data) -> str:
    import yaml  # only when YAML is asked for

    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def _size(value) -> str:
    if not isinstance(value, int):
        return "—"
    return f"{value / 2**30:.1f} GiB"


def _or(value, reason=None) -> str:
    if value is None or value == "" or value == []:
        return f"— ({reason})" if reason else "—"
    return str(value)


def _compact(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))


def _system_rows(record: dict) -> list[tuple[str, str, str]]:
    system = record.get("system", {})
    distribution, libc = system.get("distribution", {}), system.get("libc", {})
    python, container = system.get("python", {}), system.get("container", {})
    image = container.get("image", {})
    image_text = None
    if image.get("name"):
        image_text = f"{image['name']}:{image.get('tag')} ({image.get('variant')}), lock {image.get('lock_hash')}"
    if image.get("derived"):  # built FROM ours: sysinfo/image.py
        image_text = (f"{image.get('ref') or 'unnamed'}, built FROM {image.get('parent')} (+ "
                      f"{len(image.get('differences') or [])} package change(s))")
    elif image.get("ref"):
        image_text = f"{image['ref']}" + (f" = {image_text}" if image_text else "")
    return [
        ("system", "os", _or(distribution.get("pretty_name") or system.get("os"), distribution.get("reason"))),
        ("", "kernel", _or(system.get("kernel"))),
        ("", "libc", _or(" ".join(filter(None, (libc.get("name"), libc.get("version")))), libc.get("reason"))),
        ("", "python", _or(f"{python.get('implementation')} {python.get('version')}")),
        ("", "container", ("yes: " + ", ".join(container.get("evidence", []))) if container.get("inside") else "no"),
        ("", "image", _or(image_text, "not an mlfcore image")),
    ]


def _cpu_rows(record: dict) -> list[tuple[str, str, str]]:
    cpu = record.get("cpu", {})
    dispatch, cores, quota = cpu.get("dispatch", {}), cpu.get("cores", {}), cpu.get("cgroup", {})
    return [
        ("cpu", "model", _or(cpu.get("model"), cpu.get("reason"))),
        ("", "vendor · arch", f"{_or(cpu.get('vendor'))} · {_or(cpu.get('arch'))}"),
        ("", "ISA flags", _or(" ".join(cpu.get("isa_flags", [])))),
        ("", "dispatch", f"host {_or(dispatch.get('host_level'))} · pinned {_or(dispatch.get('pinned'))} · "
                         f"effective {_or(dispatch.get('effective'))}"),
        ("", "cores", f"{_or(cores.get('physical'))} physical · {_or(cores.get('logical'))} logical · "
                      f"{_or(cores.get('usable'))} usable"),
        ("", "cgroup CPU quota", f"{quota['quota_cpus']} CPUs" if quota.get("quota_cpus") else
         quota.get("reason") or f"none (cgroup {quota.get('cgroup')})"),
    ]


def _memory_rows(record: dict) -> list[tuple[str, str, str]]:
    memory = record.get("memory", {})
    limit = memory.get("cgroup", {})
    return [
        ("memory", "total · available", f"{_size(memory.get('total_bytes'))} · {_size(memory.get('available_bytes'))}"),
        ("", "cgroup limit", _size(limit.get("limit_bytes")) if limit.get("limit_bytes") else
         limit.get("reason") or f"none (cgroup {limit.get('cgroup')})"),
    ]


def _gpu_rows(record: dict) -> list[tuple[str, str, str]]:
    gpu = record.get("gpu", {})
    if not gpu.get("devices"):
        return [("gpu", "devices", f"none: {gpu.get('reason')}" + (f" ({gpu['error']})" if gpu.get("error") else ""))]
    versions = f"{_or(gpu.get('driver_version'))} · {_or(gpu.get('cuda_driver_version'))}"
    rows = [("gpu", "driver · CUDA driver", versions)]
    for device in gpu["devices"]:
        mig, ecc = device.get("mig") or {}, device.get("ecc") or {}
        text = (f"{_or(device.get('name'))} · cc {_or(device.get('compute_capability'))} · "
                f"{_size(device.get('memory_total_bytes'))} · MIG {_or(mig.get('current'))} · "
                f"ECC {_or(ecc.get('current'))} · {_or(device.get('uuid'))}"
                + ("" if device.get("visible", True) else " · hidden by CUDA_VISIBLE_DEVICES"))
        if device.get("errors"):
            text += f" · errors: {_compact(device['errors'])}"
        rows.append(("", f"#{device.get('index')}", text))
    return rows


def _framework_rows(record: dict) -> list[tuple[str, str, str]]:
    section = record.get("frameworks", {})
    rows = []
    for group in ("frameworks", "libraries"):
        for name, entry in (section.get(group) or {}).items():
            if entry:
                rows.append(("", name, f"{entry['distribution']} {entry['version']}"))
    for name, entries in (section.get("nvidia_libraries") or {}).items():
        if entries:
            rows.append(("", name, ", ".join(f"{e['distribution']} {e['version']}" for e in entries)))
    runtime = section.get("runtime") or {}
    if "skipped" in runtime:
        rows.append(("", "run-time reports", runtime["skipped"]))
    else:
        rows += [("", f"{name} reports", _compact(report)) for name, report in runtime.items()]
    return [("frameworks" if index == 0 else "", *row[1:]) for index, row in enumerate(rows)]


def _run_rows(record: dict) -> list[tuple[str, str, str]]:
    project, run = record.get("project", {}), record.get("contract", {})
    commit = project.get("commit")
    code = f"{commit} ({'dirty' if project.get('dirty') else 'clean'})" if commit else f"— ({project.get('reason')})"
    return [
        ("project", "git commit", code),
        ("contract", "seed · threads", f"{run.get('seed')} · {run.get('threads')}"),
        ("", "portable · nondeterministic", f"{run.get('portable')} · {run.get('nondeterministic')}"),
        ("key", "environment key", _or((record.get("environment_key") or {}).get("key"))),
    ]


SECTIONS = (_system_rows, _cpu_rows, _memory_rows, _gpu_rows, _framework_rows, _run_rows)


def record_table(record: dict):
    """A rich Table summarising `record` (the JSON has everything)."""
    from rich.table import Table

    table = Table(title=f"mlf sysinfo (schema {record.get('schema_version')})", show_lines=False)
    for column in ("section", "fact", "value"):
        table.add_column(column, overflow="fold")
    for rows in SECTIONS:
        for row in rows(record):
            table.add_row(*row)
    return table


def diff_table(entries: list[dict], same_key: bool):
    from rich.table import Table

    verdict = "same environment key" if same_key else "environment keys differ"
    if not entries:
        verdict += "; no differences"
    table = Table(title=f"mlf sysinfo --diff: {verdict}", show_lines=True)
    for column in ("field", "A", "B", "in key", "why it matters"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(entry["field"], _compact(entry["a"]), _compact(entry["b"]),
                      "yes" if entry["in_key"] else "no", entry["why"])
    return table


def as_text(renderable, width: int = 160) -> str:
    """A rich renderable as plain text (for --output FILE)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, color_system=None, soft_wrap=False).print(renderable)
    return buffer.getvalue()


def show_environment_diff(first: dict, second: dict, title: str) -> None:
    """The sysinfo difference between two records, as a table on stderr under `title` (verify, reproduce)."""
    from .. import console, sysinfo

    console.info(f"[bold]{title}[/]")
    console.err().print(diff_table(sysinfo.diff(first, second), sysinfo.same_key(first, second)))
