"""THE table of golden fingerprints (fingerprints.toml, shipped as package data): what our examples and the
scaffold's templates must give, and the machines that gave it.

An entry is what is trained (the example, where: a venv or an image and its variant, the architecture, the device,
the parameters, a mode such as a resumed run) and what it gave: the fingerprint in its written form
(`v<algorithm>:<hex>`, train/expect.py), the host that first recorded it, the date and the reason the value is what
it is. A host is a kind of CPU (vendor, model, ISA flags) with the entries it reproduced. The file is written by
`write()` alone (`make golden`, `make golden-hosts`), whole and atomically; `load()` checks every field.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.files import write_atomically
from mlfcore.entrypoint.train import expect

# The checkout's copy (make golden writes it); an installed mlf-scaffold reads its package data.
PATH = Path(__file__).resolve().parent / "fingerprints.toml"
RECORDS = Path(__file__).resolve().parent / "records"
RUNTIMES = ("venv", "image")
# What a mode changes in the run (golden/measure.py runs it): resume-at=K is `mlf verify --resume-at K`'s resumed
# run, nproc=N `mlf train --nproc N`, no-portable `mlf train --no-portable` (kernel dispatch at the host's own level,
# so its value holds for one ISA level only).
MODES = ("", "no-portable")
MODE_PREFIXES = ("resume-at=", "nproc=")
NOT_PORTABLE = "no-portable"


class TableError(ValueError):
    """The table is malformed, or a question about it has no answer; the message names the entry and the field."""


@dataclass(frozen=True)
class Entry:
    example: str       # a bundled example (mlfcore.entrypoint.examples.<name>) or scaffold/<framework>
    runtime: str       # venv | image
    image: str = ""    # the image's name in images.toml (image runtime only)
    variant: str = ""  # the image's variant
    arch: str = "x86_64"
    device: str = "cpu"  # cpu, or gpu:<model> where a GPU trained it
    params: dict[str, str] = field(default_factory=dict)  # -P values; empty: the defaults
    mode: str = ""
    suite: bool = False  # trained and compared by `make test` (the suite's own trainings)
    level: str = ""      # no-portable entries only: the ISA level their value holds for
    fingerprint: str = ""  # empty until `make golden` measures it
    host: str = ""
    date: str = ""
    reason: str = ""

    @property
    def id(self) -> str:
        where = "venv" if self.runtime == "venv" else f"{self.image}:{self.variant}"
        parts = [self.example, where, " ".join(f"{k}={v}" for k, v in sorted(self.params.items())) or "defaults",
                 self.mode, self.level, self.arch, self.device]
        return " ".join(part for part in parts if part)

    @property
    def key(self) -> tuple:
        """What decides the value: everything but the measurement."""
        return (self.example, self.runtime, self.image, self.variant, self.arch, self.device,
                tuple(sorted(self.params.items())), self.mode, self.level)

    @property
    def record_name(self) -> str:
        """The file (under records/) holding the sysinfo record of the run that recorded the value."""
        where = "venv" if self.runtime == "venv" else f"image-{self.image}-{self.variant}"
        return f"{self.host}--{where}--{self.arch}.json"

    def measured(self, fingerprint: str, host: str, date: str, reason: str) -> Entry:
        return replace(self, fingerprint=fingerprint, host=host, date=date, reason=reason)


@dataclass(frozen=True)
class Host:
    id: str
    vendor: str
    model: str
    arch: str
    level: str                    # the highest CPU dispatch level its flags allow (sysinfo/cpu.py)
    isa_flags: tuple[str, ...]    # the dispatch-relevant flags, as sysinfo records them
    first: str                    # the date it first reproduced (or recorded) a value
    proved: tuple[str, ...] = ()  # the ids of the entries it reproduced or recorded

    @property
    def kind(self) -> tuple:
        """A kind of CPU: the same vendor, model and flags give the same kernels."""
        return (self.vendor, self.model, self.arch, tuple(sorted(self.isa_flags)))


@dataclass(frozen=True)
class Table:
    entries: tuple[Entry, ...]
    hosts: tuple[Host, ...]

    def find(self, key: tuple) -> Entry | None:
        return next((entry for entry in self.entries if entry.key == key), None)

    def host(self, host_id: str) -> Host:
        found = next((host for host in self.hosts if host.id == host_id), None)
        if found is None:
            raise TableError(f"no host {host_id!r} in the golden table")
        return found


# --- reading --------------------------------------------------------------------------------------------------------

def _check_fields(cls, data: dict, where: str) -> dict:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise TableError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(known)})")
    return data


def _entry(data: dict, index: int) -> Entry:
    where = f"entry {index + 1}"
    _check_fields(Entry, data, where)
    for name in ("example", "runtime"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise TableError(f"{where}: {name} must be a non-empty string")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise TableError(f"{where}: params must be a table of -P values")
    entry = Entry(**{**data, "params": {str(k): str(v) for k, v in params.items()}})
    where = f"entry {entry.id!r}"
    if entry.runtime not in RUNTIMES:
        raise TableError(f"{where}: runtime must be one of {', '.join(RUNTIMES)}, got {entry.runtime!r}")
    if (entry.runtime == "image") != bool(entry.image and entry.variant):
        raise TableError(f"{where}: an image entry names its image and variant, a venv entry neither")
    if entry.mode not in MODES and not any(entry.mode.startswith(p) and entry.mode[len(p):].isdigit()
                                           for p in MODE_PREFIXES):
        raise TableError(f"{where}: mode must be empty, {NOT_PORTABLE}, resume-at=K or nproc=N, got {entry.mode!r}")
    if (entry.mode == NOT_PORTABLE) != bool(entry.level):
        raise TableError(f"{where}: a {NOT_PORTABLE} entry names the ISA level its value holds for, others none")
    if entry.fingerprint:
        try:
            expect.parse(entry.fingerprint, f"{where}: fingerprint")
        except UsageError as err:
            raise TableError(err.message) from None
        if not (entry.host and entry.date and entry.reason):
            raise TableError(f"{where}: a measured entry names its host, date and reason")
    return entry


def _host(data: dict, index: int) -> Host:
    _check_fields(Host, data, f"host {index + 1}")
    try:
        return Host(**{**data, "isa_flags": tuple(data["isa_flags"]), "proved": tuple(data.get("proved", ()))})
    except (KeyError, TypeError) as err:
        raise TableError(f"host {index + 1}: {err}") from None


def parse(text: str) -> Table:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TableError(f"the golden table is not valid TOML: {err}") from None
    table = Table(tuple(_entry(e, i) for i, e in enumerate(document.get("entries", []))),
                  tuple(_host(h, i) for i, h in enumerate(document.get("hosts", []))))
    seen: dict[tuple, str] = {}
    for entry in table.entries:
        if entry.key in seen:
            raise TableError(f"entry {entry.id!r} appears twice")
        seen[entry.key] = entry.id
        if entry.host:
            table.host(entry.host)  # raises for a host the table does not list
    if len({host.id for host in table.hosts}) != len(table.hosts):
        raise TableError("two hosts share an id")
    return table


def load(path: Path | None = None) -> Table:
    """The checkout's table (or `path`); an installed mlf-scaffold reads the copy shipped with it."""
    if path is None and not PATH.exists():
        return parse(resources.files(__package__).joinpath("fingerprints.toml").read_text(encoding="utf-8"))
    return parse((path or PATH).read_text(encoding="utf-8"))


# --- writing --------------------------------------------------------------------------------------------------------

HEADER = """\
# Golden fingerprints: what mlfcore's examples and the scaffold's templates give, and the machines that proved it.
# Written by `make golden` (measures every entry; a changed value needs REASON=) and `make golden-hosts` (adds this
# machine when it reproduces them); docs/PROOF.md is generated from it. To add an entry, append one without a
# fingerprint and run `make golden`. Read by mlfcore.scaffold.golden (the tests, `mlf-scaffold new`).
"""


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in sorted(value.items())) + " }" if value else "{}"
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's


def _block(name: str, item, skip_empty: bool) -> list[str]:
    lines = [f"[[{name}]]"]
    for spec in fields(item):
        value = getattr(item, spec.name)
        if skip_empty and value in ("", {}, (), False) and spec.name not in ("example", "runtime"):
            continue
        lines.append(f"{spec.name} = {_value(value)}")
    return lines + [""]


def render(table: Table) -> str:
    lines = [HEADER]
    for entry in table.entries:
        lines += _block("entries", entry, skip_empty=True)
    for host in table.hosts:
        lines += _block("hosts", host, skip_empty=False)
    text = "\n".join(lines).rstrip("\n") + "\n"
    parse(text)  # never write a table that would not read back
    return text


def write(table: Table, path: Path | None = None) -> None:
    write_atomically(path or PATH, render(table))
