"""docs/PROOF.md, generated from the golden table: the machines that reproduced the values, and the values.

Never typed: `make golden` and `make golden-hosts` write it with the table, and a test fails when the committed page
differs from what the committed table renders.
"""

from __future__ import annotations

from pathlib import Path

from .table import Entry, Table

PAGE = Path(__file__).resolve().parents[2] / "docs" / "PROOF.md"
SHOWN = 16  # hex digits of a fingerprint in the tables; the table file holds them all


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|") or "—"


def _short(fingerprint: str) -> str:
    version, _, digest = fingerprint.partition(":")
    return f"`{version}:{digest[:SHOWN]}…`" if digest else "not measured yet"


def _where(entry: Entry) -> str:
    return "venv" if entry.runtime == "venv" else f"image `{entry.image}:{entry.variant}`"


def _params(entry: Entry) -> str:
    text = ", ".join(f"{k}={v}" for k, v in sorted(entry.params.items())) or "defaults"
    return text + (f"; {entry.mode}" + (f" ({entry.level})" if entry.level else "") if entry.mode else "")


def _hosts(table: Table) -> list[str]:
    lines = ["| host | CPU model | vendor | arch | ISA level | dispatch flags | since | values reproduced |",
             "| --- | --- | --- | --- | --- | --- | --- | ---: |"]
    for host in table.hosts:
        lines.append(f"| {_cell(host.id)} | {_cell(host.model)} | {_cell(host.vendor)} | {host.arch} | {host.level} "
                     f"| {_cell(' '.join(host.isa_flags))} | {host.first} | {len(host.proved)} of "
                     f"{len(table.entries)} |")
    return lines


def _values(table: Table) -> list[str]:
    lines = ["| example | where | arch | device | parameters | in `make test` | fingerprint | algorithm | first recorded "
             "on (CPU, ISA level) | date | reason | proven on |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for entry in table.entries:
        recorded = ""
        if entry.host:
            host = table.host(entry.host)
            recorded = f"{host.model} ({host.level})"
        proven = ", ".join(host.id for host in table.hosts if entry.id in host.proved)
        algorithm = entry.fingerprint.partition(":")[0].removeprefix("v")
        lines.append(f"| {_cell(entry.example)} | {_where(entry)} | {entry.arch} | {entry.device} | "
                     f"{_cell(_params(entry))} | {'yes' if entry.suite else 'no'} | {_short(entry.fingerprint)} | "
                     f"{_cell(algorithm)} | {_cell(recorded)} | {_cell(entry.date)} | {_cell(entry.reason)} | "
                     f"{_cell(proven)} |")
    return lines


def render(table: Table) -> str:
    versions = sorted({entry.fingerprint.partition(":")[0] for entry in table.entries if entry.fingerprint})
    return "\n".join([
        "# Proof: the same bits on every machine",
        "",
        "Generated from the golden table (`scaffold/golden/fingerprints.toml`) by `make golden` and `make "
        "golden-hosts`; do not edit.",
        "",
        "Every value below is a result fingerprint (docs/train.md, \"The result fingerprint\") of one of mlfcore's "
        "examples or of a project `mlf-scaffold new` renders, trained in portable mode unless the parameters say "
        "`no-portable`. `make test` trains the entries marked in the table as the suite's (in the venv and in the "
        "cpu images) and fails, showing the sysinfo difference to the machine that recorded the value, when one "
        "differs. A machine with a kind of CPU the hosts below lack is named at the end of the test session; `make "
        "golden-hosts` trains those entries again there and, when every one gives its value, adds the machine. A "
        "value changes only through `make golden REASON='<kind>: <what changed>'` (a changed example or template, "
        "framework pin, fingerprint algorithm version or contract), and the reason stays beside it.",
        "",
        f"Fingerprint algorithm version(s) in use: {', '.join(versions) or 'none yet'}. Projects check their own "
        "value with `mlf verify --expect` or `[tool.mlf] expect` (docs/train.md).",
        "",
        "## Machines that reproduced the values",
        "",
        *_hosts(table),
        "",
        "## Values",
        "",
        *_values(table),
        "",
    ])


def write(table: Table, path: Path = PAGE) -> None:
    from mlfcore.entrypoint.files import write_atomically

    write_atomically(path, render(table))


def stale(table: Table, path: Path = PAGE) -> bool:
    try:
        return path.read_text(encoding="utf-8") != render(table)
    except OSError:
        return True
