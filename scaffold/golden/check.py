"""A trained fingerprint against its golden value: equal, or a failure that says why (the sysinfo difference to the
run that recorded the value: CPU model, ISA flags, packages, what the frameworks reported).

The tests call `of_run()` after a training they did anyway, `make golden-hosts` calls `compare()` with its own.
The matches of_run() finds are kept in PROVEN for the test session's summary, which names a kind of CPU the table
has not seen (tests/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import hosts
from .table import NOT_PORTABLE, Entry, Table

# A cuda build on a machine without a GPU computes on the CPU: it must give the cpu build's bits (measured for the
# pytorch and xgboost images, docs/images.md "Where the images are published"), so without an entry of its own it is
# compared with the cpu entry.
CPU_VARIANT = "cpu"
PROVEN: list[tuple[Entry, dict]] = []  # of_run()'s matches: (the golden entry, the record of the reproducing run)


@dataclass(frozen=True)
class Outcome:
    trained: Entry          # what was trained (no measurement)
    golden: Entry | None    # the entry compared with; None: the table has no value for it
    got: str                # the fingerprint, written form
    failure: str | None     # None: the golden value

    @property
    def matched(self) -> bool:
        return self.failure is None


def wanted(example: str, runtime: str, record: dict, *, params: dict | None = None, image: str = "",
           variant: str = "", mode: str = "") -> Entry:
    """The entry a training is: what the caller trained, and where (architecture, device, level) from its record."""
    facts = hosts.cpu(record)
    return Entry(example, runtime, image, variant, facts["arch"], hosts.device(record),
                 {str(k): str(v) for k, v in (params or {}).items()}, mode,
                 level=facts["level"] if mode == NOT_PORTABLE else "")


def golden_for(table: Table, entry: Entry) -> Entry | None:
    found = table.find(entry.key)
    if found is None and entry.runtime == "image" and entry.variant != CPU_VARIANT and entry.device == "cpu":
        found = table.find(replace(entry, variant=CPU_VARIANT).key)
    return found


def template_value(framework: str, variant: str, arch: str, table: Table | None = None) -> str | None:
    """The fingerprint a project `mlf-scaffold new` renders for `framework` gives by default in its image, on a
    machine without GPUs; None when the table has no such value."""
    from .table import load

    wanted_entry = Entry(f"scaffold/{framework}", "image", framework, variant, arch, "cpu")
    golden = golden_for(table or load(), wanted_entry)
    return golden.fingerprint if golden is not None and golden.fingerprint else None


def _difference(golden: Entry, record: dict) -> str:
    from mlfcore.entrypoint import sysinfo
    from mlfcore.entrypoint.sysinfo import render

    recorded = hosts.load(golden)
    if recorded is None:
        return f"(the record of the run that recorded it, records/{golden.record_name}, is missing)"
    table = render.diff_table(sysinfo.diff(recorded, record), sysinfo.same_key(recorded, record))
    return _cpus(recorded, record) + "\nwhat differs from the run that recorded it (A) to this one (B):\n" + \
        render.as_text(table)


def _cpus(recorded: dict, record: dict) -> str:
    """The two CPUs side by side, with the ISA flags one has and the other lacks: sysinfo's diff shows the flags only
    where they change the dispatch level, and a golden mismatch is where a flag no pin covers may matter."""
    a, b = hosts.cpu(recorded), hosts.cpu(record)
    lines = [f"  CPU recorded: {a['model']} ({a['vendor']}, {a['arch']}, ISA level {a['level']})",
             f"  CPU here:     {b['model']} ({b['vendor']}, {b['arch']}, ISA level {b['level']})"]
    only_a = [flag for flag in a["isa_flags"] if flag not in b["isa_flags"]]
    only_b = [flag for flag in b["isa_flags"] if flag not in a["isa_flags"]]
    if only_a or only_b:
        lines.append(f"  ISA flags only recorded: {' '.join(only_a) or '-'}; only here: {' '.join(only_b) or '-'}")
    else:
        lines.append("  ISA flags: the same")
    return "\n".join(lines)


def compare(table: Table, entry: Entry, got: str, record: dict) -> Outcome:
    golden = golden_for(table, entry)
    if golden is None or not golden.fingerprint:
        return Outcome(entry, golden, got, f"the golden table has no value for {entry.id!r} (this run gave {got}): "
                                           "add the entry to scaffold/golden/fingerprints.toml and measure it with "
                                           f"`make golden ONLY='{entry.id}'`")
    if got == golden.fingerprint:
        return Outcome(entry, golden, got, None)
    host = table.host(golden.host)
    return Outcome(entry, golden, got, "\n".join([
        f"{entry.id}: this run gave {got}, the golden value is {golden.fingerprint}",
        f"  recorded {golden.date} on {host.model} ({host.vendor}, {host.arch}, ISA level {host.level}); "
        f"reason: {golden.reason}",
        "  a deliberate change (the example, a framework pin, the fingerprint algorithm) is recorded with "
        "`make golden REASON=...`; anything else is a determinism bug or a machine that differs in what decides "
        "the bits:",
        _difference(golden, record)]))


def of_run(workspace, run_id: str, example: str, runtime: str, *, params: dict | None = None, image: str = "",
           variant: str = "", mode: str = "", table: Table | None = None) -> Outcome:
    """compare() for a run recorded in the project `workspace` (its default store): what the tests call after a
    training they did anyway."""
    from . import measure
    from .table import load

    measured = measure.read_run(workspace, run_id)
    entry = wanted(example, runtime, measured.record, params=params, image=image, variant=variant, mode=mode)
    outcome = compare(table or load(), entry, measured.fingerprint, measured.record)
    if outcome.matched:
        PROVEN.append((outcome.golden, measured.record))
    return outcome


def new_kinds(table: Table, proven: list[tuple[Entry, dict]] | None = None) -> dict[tuple, tuple[dict, list[Entry]]]:
    """The kinds of CPU that reproduced golden values (in this process: PROVEN) that the table's hosts lack."""
    found: dict[tuple, tuple[dict, list[Entry]]] = {}
    for golden, record in PROVEN if proven is None else proven:
        if hosts.find(table, record) is None:
            found.setdefault(hosts.kind(record), (record, []))[1].append(golden)
    return found
