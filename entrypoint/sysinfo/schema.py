"""The record's versioned schema (schema.json, documented in docs/sysinfo.md) and reading records back.

Versioning: adding a field keeps SCHEMA_VERSION; renaming, removing or changing the meaning of one bumps it and adds
an upgrade function to UPGRADES, so a record of any earlier version still reads (`load` upgrades it).

The validator below understands the part of JSON Schema that schema.json uses (type, required, properties, items,
additionalProperties, minimum, pattern): reading a record back should not need a JSON Schema library at run time.
The tests also check schema.json with the `jsonschema` package when it is installed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import UsageError

SCHEMA_VERSION = 2


def _upgrade_1(record: dict) -> dict:
    """Version 2 identifies the image by its package sets (sysinfo/image.py) and hashes the project's source files.
    A version-1 record knew neither: the new fields are null ("not recorded"), never guessed."""
    upgraded = json.loads(json.dumps(record))
    image = (((upgraded.get("system") or {}).get("container") or {}).get("image"))
    if isinstance(image, dict):
        for name in ("ref", "digest", "manifest", "derived", "parent", "packages_sha256", "debian_sha256"):
            image.setdefault(name, None)
        image.setdefault("differences", [])
    if isinstance(upgraded.get("project"), dict):
        upgraded["project"].setdefault("source", None)
    upgraded["schema_version"] = 2
    return upgraded


# version → a function turning a record of that version into one of the next.
UPGRADES: dict[int, Callable[[dict], dict]] = {1: _upgrade_1}

_TYPES: dict[str, Callable[[object], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


@lru_cache(maxsize=1)
def schema() -> dict:
    """schema.json, shipped as package data."""
    return json.loads(resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8"))


def _check(value, rule: dict, where: str, problems: list[str]) -> None:
    types = rule.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_TYPES[name](value) for name in names):
            problems.append(f"{where}: expected {' or '.join(names)}, got {type(value).__name__}")
            return
    if "minimum" in rule and _TYPES["number"](value) and value < rule["minimum"]:
        problems.append(f"{where}: {value} is below the minimum {rule['minimum']}")
    if "pattern" in rule and isinstance(value, str) and not re.search(rule["pattern"], value):
        problems.append(f"{where}: {value!r} does not match {rule['pattern']}")
    if isinstance(value, dict):
        problems += [f"{where}: missing {name!r}" for name in rule.get("required", []) if name not in value]
        properties = rule.get("properties", {})
        for name, item in value.items():
            if name in properties:
                _check(item, properties[name], f"{where}.{name}", problems)
            elif isinstance(rule.get("additionalProperties"), dict):
                _check(item, rule["additionalProperties"], f"{where}.{name}", problems)
    if isinstance(value, list) and "items" in rule:
        for index, item in enumerate(value):
            _check(item, rule["items"], f"{where}[{index}]", problems)


def validate(record: object) -> list[str]:
    """What is wrong with `record` against schema.json: an empty list when it is valid."""
    problems: list[str] = []
    _check(record, schema(), "record", problems)
    return problems


def upgrade(record: dict) -> dict:
    """`record` converted to SCHEMA_VERSION by the upgrade functions of each version in between."""
    version = record.get("schema_version")
    while isinstance(version, int) and version < SCHEMA_VERSION and version in UPGRADES:
        record = UPGRADES[version](record)
        version = record.get("schema_version")
    return record


def load(path: Path | str) -> dict:
    """Read a record written by `mlf sysinfo --format json`; UsageError naming the file and what is wrong."""
    path = Path(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror or err}", hint="check the path") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{path} is not JSON: {err}",
                         hint="records are written by `mlf sysinfo --format json --output FILE`") from err
    if not isinstance(record, dict) or "schema_version" not in record:
        raise UsageError(f"{path} is not an mlf sysinfo record (no schema_version)",
                         hint="records are written by `mlf sysinfo --format json --output FILE`")
    version = record["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UsageError(f"{path}: schema_version must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise UsageError(f"{path} was written by a newer mlfcore (schema {version}); this one reads up to "
                         f"{SCHEMA_VERSION}", hint="upgrade mlfcore to compare it")
    record = upgrade(record)
    problems = validate(record)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise UsageError(f"{path} is not a valid sysinfo record: {shown}")
    return record
