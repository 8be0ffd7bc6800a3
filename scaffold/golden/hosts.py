"""The machine a value was measured on, as its sysinfo record describes it: its kind of CPU, its device, and the
record kept beside the table so a later mismatch can show what differs (records/, one per host and runtime)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlfcore.entrypoint.sysinfo import key

from .table import RECORDS, Entry, Host, Table


def cpu(record: dict) -> dict:
    """vendor, model, arch, level and ISA flags of the record's CPU."""
    return {"vendor": key.lookup(record, "cpu", "vendor") or "", "model": key.lookup(record, "cpu", "model") or "",
            "arch": key.lookup(record, "cpu", "arch") or "", "level": key.lookup(record, "cpu", "dispatch",
                                                                                  "host_level") or "",
            "isa_flags": tuple(key.lookup(record, "cpu", "isa_flags") or ())}


def device(record: dict) -> str:
    """cpu, or gpu:<model> (gpu:<n>x<model> for several) when the run saw GPUs: the examples train on them."""
    models = sorted({str(d.get("name")) for d in key.visible_gpus(record)})
    count = len(key.visible_gpus(record))
    if not count:
        return "cpu"
    return f"gpu:{count}x{'+'.join(models)}" if count > 1 else f"gpu:{models[0]}"


def kind(record: dict) -> tuple:
    facts = cpu(record)
    return (facts["vendor"], facts["model"], facts["arch"], tuple(sorted(facts["isa_flags"])))


def find(table: Table, record: dict) -> Host | None:
    """The table's host of the record's kind of CPU, or None for a kind it has not seen."""
    return next((host for host in table.hosts if host.kind == kind(record)), None)


def new(table: Table, record: dict, date: str) -> Host:
    """A host for a kind the table lacks, its id made from the model and level (and a number if taken)."""
    facts = cpu(record)
    stem = re.sub(r"[^a-z0-9]+", "-", f"{facts['model']} {facts['level']}".lower()).strip("-") or "host"
    taken = {host.id for host in table.hosts}
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}-{number}", number + 1
    return Host(name, facts["vendor"], facts["model"], facts["arch"], facts["level"], facts["isa_flags"], date)


# --- the records kept beside the table ------------------------------------------------------------------------------

def _replace_roots(value, roots: dict[str, str]):
    if isinstance(value, dict):
        return {k: _replace_roots(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_roots(v, roots) for v in value]
    if isinstance(value, str):
        for root, name in roots.items():
            if root and (value == root or value.startswith(root.rstrip("/") + "/")):
                return name + value[len(root.rstrip("/")):]
    return value


def anonymise(record: dict) -> dict:
    """The record without what names the recording machine's folders and session (its host name, process, memory
    and its cgroup path, the project's path and per-file hashes): what is left decides the bits, or explains why
    they differ."""
    kept = {name: value for name, value in record.items() if name not in ("collected", "project", "memory")}
    kept["project"] = {"commit": key.lookup(record, "project", "commit")}
    roots = {key.lookup(record, "system", "python", "prefix"): "<python prefix>",
             key.lookup(record, "project", "directory"): "<project>"}
    return _replace_roots(kept, {root: name for root, name in roots.items() if isinstance(root, str)})


def save(entry: Entry, record: dict, folder: Path = RECORDS) -> Path:
    from mlfcore.entrypoint.files import write_atomically

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / entry.record_name
    write_atomically(path, json.dumps(anonymise(record), indent=1, sort_keys=True) + "\n")
    return path


def load(entry: Entry, folder: Path = RECORDS) -> dict | None:
    path = folder / entry.record_name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
