"""mlfcore.entrypoint.sysinfo: what decides the bits, recorded fast and without side effects.

- `collect(settings=None, *, fast=False, project_dir=".")` → the record (a JSON-able dict, schema.json);
- `environment_key(record)` → {"key": sha256 hex, "version", "fields": [...]}: a stable hash over the
  determinism-relevant subset (key.py);
- `diff(a, b)` → the determinism-relevant fields that differ, most important first (compare.py);
- `load(path)` reads a record back (schema.py); `SCHEMA_VERSION` is the version this mlfcore writes.

Nothing heavy is imported here: psutil, py-cpuinfo and nvidia-ml-py load inside the collectors that use them.
"""

__all__ = ["SCHEMA_VERSION", "collect", "diff", "environment_key", "load", "same_key", "validate"]

# Each name from its module on first use: a caller that needs one part (the gate's `gpu`, `collect` without
# `diff`) does not import the others (compare.py, schema.py: 60-80 ms of a `sysinfo --fast` record, -X importtime).
_HOMES = {"diff": "compare", "same_key": "compare", "environment_key": "key", "collect": "record",
          "SCHEMA_VERSION": "schema", "load": "schema", "validate": "schema"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
