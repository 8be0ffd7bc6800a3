"""mlfcore.entrypoint.sysinfo: what decides the bits, recorded fast and without side effects.

- `collect(settings=None, *, fast=False, project_dir=".")` → the record (a JSON-able dict, schema.json);
- `environment_key(record)` → {"key": sha256 hex, "version", "fields": [...]}: a stable hash over the
  determinism-relevant subset (key.py);
- `diff(a, b)` → the determinism-relevant fields that differ, most important first (compare.py);
- `load(path)` reads a record back (schema.py); `SCHEMA_VERSION` is the version this mlfcore writes.

Nothing heavy is imported here: psutil, py-cpuinfo and nvidia-ml-py load inside the collectors that use them.
"""

from .compare import diff, same_key
from .key import environment_key
from .record import collect
from .schema import SCHEMA_VERSION, load, validate

__all__ = ["SCHEMA_VERSION", "collect", "diff", "environment_key", "load", "same_key", "validate"]
