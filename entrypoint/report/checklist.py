"""The evidence checklist: one row per item the reproducibility checklists of ML venues ask for (software, compute,
the seed protocol, hyperparameters, data, proof), each read from a record and linking to it.

Each row function takes the run and its proofs and returns a Row; ROWS lists them in the order the page shows.
A row says what the record holds, never more: a missing record is a row that says it is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..sysinfo.key import lookup, visible_gpus
from .model import Proof, Run

OK, CAVEAT, MISSING, FAILED = "ok", "caveat", "missing", "failed"


@dataclass(frozen=True)
class Row:
    item: str
    evidence: str
    status: str  # OK | CAVEAT | MISSING | FAILED
    record: str | None  # the crate path of the record it came from

    def to_dict(self) -> dict:
        return {"item": self.item, "evidence": self.evidence, "status": self.status, "record": self.record}


def _missing(item: str, what: str) -> Row:
    return Row(item, f"not recorded: the run has no {what}", MISSING, None)


def _fingerprint(run: Run, proofs: list[Proof]) -> Row:
    record = run.records.get("fingerprint")
    if run.fingerprint is None:
        return Row("Result fingerprint", "none: the run did not finish with a fingerprint", FAILED, None)
    detail = (f" (algorithm {record.get('algorithm', 1)}, {len(record.get('artifacts', []))} artifacts)"
              if record else "")
    return Row("Result fingerprint", f"{run.fingerprint}{detail}", OK, run.record_path("fingerprint"))


def _software(run: Run, proofs: list[Proof]) -> Row:
    record = run.records.get("sysinfo")
    if record is None:
        return _missing("Software versions", "system record (mlf/sysinfo.json)")
    found = {**(lookup(record, "frameworks", "frameworks") or {}), **(lookup(record, "frameworks", "libraries") or {})}
    versions = [f"{entry['distribution']}=={entry['version']}" for entry in found.values() if isinstance(entry, dict)]
    image = run.image or "no mlfcore image (a virtual environment)"
    return Row("Software versions", f"mlfcore {record.get('mlfcore_version')}, Python "
               f"{lookup(record, 'system', 'python', 'version')}, {', '.join(versions) or 'no framework'}; {image}",
               OK, run.record_path("sysinfo"))


def _hardware(run: Run, proofs: list[Proof]) -> Row:
    record = run.records.get("sysinfo")
    if record is None:
        return _missing("Hardware", "system record (mlf/sysinfo.json)")
    cores = lookup(record, "cpu", "cores") or {}
    dispatch = lookup(record, "cpu", "dispatch") or {}
    gpus = visible_gpus(record)
    gpu = (f"{len(gpus)}× {', '.join(sorted({str(g.get('name')) for g in gpus}))} (driver "
           f"{lookup(record, 'gpu', 'driver_version')})" if gpus else "no GPU")
    memory = lookup(record, "memory", "total_bytes")
    size = f", {memory / 2**30:.1f} GiB memory" if isinstance(memory, (int, float)) else ""
    return Row("Hardware", f"{lookup(record, 'cpu', 'model')} ({lookup(record, 'cpu', 'arch')}), "
               f"{cores.get('usable')} of {cores.get('logical')} logical cores usable, kernel dispatch "
               f"{dispatch.get('effective')} (pinned: {dispatch.get('pinned') or 'no'}); {gpu}{size}",
               OK, run.record_path("sysinfo"))


def _seed(run: Run, proofs: list[Proof]) -> Row:
    contract = run.records.get("contract")
    if contract is None:
        return _missing("Seed protocol and contract", "contract record (mlf/contract.json)")
    return Row("Seed protocol and contract",
               f"seed {contract.get('seed')} for Python, NumPy and every framework, PYTHONHASHSEED set before the "
               f"interpreter started; {contract.get('threads')} threads on every host; kernel dispatch "
               f"{'pinned portable' if contract.get('portable') else 'not pinned'}; "
               f"{len(contract.get('environment') or {})} contract variables applied", OK, run.record_path("contract"))


def _hyperparameters(run: Run, proofs: list[Proof]) -> Row:
    params = run.records.get("params")
    if params is None:
        return _missing("Hyperparameters", "parameter record (mlf/params.json)")
    values = ", ".join(f"{k}={v}" for k, v in sorted((params.get("parameters") or {}).items())) or "none"
    return Row("Hyperparameters", f"{values} (entry point {params.get('entry_point')!r}, {params.get('source')})",
               OK, run.record_path("params"))


def _data(run: Run, proofs: list[Proof]) -> Row:
    data = run.records.get("data")
    if data is None:
        return Row("Data identity", "no data declared ([tool.mlf] data): the data the training read is not "
                   "identified", CAVEAT, None)
    return Row("Data identity", f"tree sha256 {data.get('tree_sha256')} ({data.get('algorithm')}), "
               f"{len(data.get('files') or {})} files, {data.get('total_bytes')} bytes", OK, run.record_path("data"))


def _mode(run: Run, proofs: list[Proof]) -> Row:
    from .verdict import contract_caveats

    against = contract_caveats(run)
    if against:
        return Row("Deterministic mode and allowances", against[0], CAVEAT, run.record_path("contract"))
    return Row("Deterministic mode and allowances", "deterministic: no deviation from the contract, nothing "
               "allowed", OK, run.record_path("contract"))


def _lint(run: Run, proofs: list[Proof]) -> Row:
    from .verdict import lint_caveats

    lint = run.records.get("lint") or {}
    against = lint_caveats(run)
    findings = lint.get("findings") or []
    summary = f"{len(findings)} finding{'s' if len(findings) != 1 else ''} in {lint.get('files')} file(s)"
    if against:
        return Row("Lint at run time", "; ".join(against), CAVEAT if lint else MISSING, run.record_path("lint"))
    return Row("Lint at run time", f"complete: {summary}, none at error level", OK, run.record_path("lint"))


def _code(run: Run, proofs: list[Proof]) -> Row:
    record = run.records.get("sysinfo") or {}
    commit, source = lookup(record, "project", "commit"), lookup(record, "project", "source") or {}
    hashed = f"source sha256 {source.get('sha256')} over {source.get('count')} files" if source else ""
    if commit:
        dirty = " with uncommitted changes" if lookup(record, "project", "dirty") else ""
        return Row("Code", f"commit {commit}{dirty}; {hashed}", CAVEAT if dirty else OK, run.record_path("sysinfo"))
    if hashed:
        return Row("Code", f"no git commit ({lookup(record, 'project', 'reason')}); {hashed}", OK,
                   run.record_path("sysinfo"))
    return _missing("Code", "code identity (commit or source hash)")


def _proof_text(proof: Proof) -> str:
    when = (proof.by.end or proof.by.start)
    day = when.date().isoformat() if when else "date unknown"
    outcome = (f"identical (fingerprint {proof.by.fingerprint[:12]}…)" if proof.identical else
               f"differs ({proof.by.fingerprint})" if proof.by.fingerprint else f"unfinished ({proof.by.status})")
    return f"run {proof.by.run_id} on {proof.by.host or 'an unknown host'}, {day}: {outcome}"


def _proof_row(item: str, kind: str, none: str) -> Callable[[Run, list[Proof]], Row]:
    def row(run: Run, proofs: list[Proof]) -> Row:
        mine = [p for p in proofs if p.kind == kind]
        if not mine:
            return Row(item, none, CAVEAT if run.fingerprint else MISSING, None)
        status = (OK if all(p.identical for p in mine) else
                  FAILED if any(p.by.fingerprint and not p.identical for p in mine) else CAVEAT)
        return Row(item, "; ".join(_proof_text(p) for p in mine), status, mine[0].by.record_path("fingerprint"))
    return row


def _resume(run: Run, proofs: list[Proof]) -> Row:
    step = run.tags.get("mlf.resumed_from_step")
    distributed = run.record_path("distributed")
    if not step:
        return Row("Resume", "not interrupted: the run went through in one attempt", OK, distributed)
    verified = [p for p in proofs if p.kind == "verify" and p.identical]
    if verified:
        return Row("Resume", f"resumed from step {step}; identical to the uninterrupted run "
                   f"{verified[0].by.run_id} (mlf verify --resume-at)", OK, distributed)
    return Row("Resume", f"resumed from step {step}; not verified (mlf verify --resume-at proves a resume)", CAVEAT,
               distributed)


def _environment(run: Run, proofs: list[Proof]) -> Row:
    key = run.tags.get("mlf.environment_key")
    if not key:
        return _missing("Environment key", "environment key")
    return Row("Environment key", key, OK, run.record_path("sysinfo"))


ROWS: tuple[Callable[[Run, list[Proof]], Row], ...] = (
    _fingerprint, _software, _hardware, _seed, _hyperparameters, _data, _mode, _lint, _code, _environment,
    _proof_row("Verify", "verify", "not verified: no `mlf verify` run of it"),
    _resume,
    _proof_row("Reproduce", "reproduce", "not reproduced: no `mlf reproduce` of it"),
)


def rows(run: Run, proofs: list[Proof]) -> list[Row]:
    return [row(run, proofs) for row in ROWS]
