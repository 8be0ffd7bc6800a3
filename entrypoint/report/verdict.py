"""The honest top line of each run: what its record proves, and what stands against it.

A run is proven deterministic only when another run re-did it bit for bit (its `mlf verify` group, an `mlf
reproduce`) and nothing in its record stands against determinism: it ran under the contract (no
--allow-nondeterministic), its lint was complete and had no error it was allowed past, and a resume it went through
was itself verified. Anything else says so at the top, with the reason.
"""

from __future__ import annotations

from .model import Proof, Run, Verdict

SHORT = 8  # hex digits of a fingerprint shown in a sentence ("3511fcbe…"); tables show the whole digest


def unfinished(run: Run) -> str:
    """Why a run has no fingerprint, from what its record says."""
    failure = run.tags.get("mlf.failure")
    if not any(name.startswith("mlf.") for name in run.tags):
        return "it was not made by `mlf train`: it records no seed, contract or fingerprint"
    if failure:
        return f"{failure} ({run.status})"
    step = run.tags.get("mlf.step_reached")
    if run.status == "KILLED":
        where = f" after step {step}" if step else ""
        return f"it was killed{where} and never finished; `mlf train` in its project resumes it"
    if run.status == "RUNNING":
        return "it is still running, or its mlf died before recording a result"
    return f"the training ended {run.status} without a result fingerprint"


def contract_caveats(run: Run) -> list[str]:
    """A run marked non-deterministic: asked for (--allow-nondeterministic) or allowed by its project."""
    if not run.nondeterministic:
        return []
    contract = run.records.get("contract") or {}
    named = ", ".join(f"{d.get('name')}={d.get('value')!r}" for d in contract.get("deviations") or []
                      if isinstance(d, dict))
    deviations = f" (deviations: {named})" if named else ""
    if run.params.get("mlf.allow_nondeterministic") == "true":
        return [f"it ran with --allow-nondeterministic{deviations}"]
    allowed = ", ".join(map(str, contract.get("allow") or []))
    return [f"its project allows deviations from the contract ([tool.mlf] allow: {allowed or '?'}){deviations}"]


def lint_caveats(run: Run) -> list[str]:
    from ..lint.gate import incomplete

    lint = run.records.get("lint")
    if run.tags.get("mlf.lint_errors") == "skipped" or (lint or {}).get("skipped"):
        return ["the pre-run lint was skipped (--no-lint)"]
    if lint is None:
        return ["its lint record is missing"]
    found = []
    partial = sorted({f.get("path", "?") for f in lint.get("findings", [])
                      if incomplete(f.get("rule", ""), f.get("message", ""))})
    if partial:
        found.append(f"the lint was incomplete: {', '.join(partial)} could not be checked completely")
    errors = [f for f in lint.get("findings", []) if f.get("severity") == "error"]
    if errors:
        found.append(f"{len(errors)} lint error{'s were' if len(errors) != 1 else ' was'} let through "
                     f"(first: {errors[0].get('rule')} at {errors[0].get('path')}:{errors[0].get('line')})")
    return found


def caveats(run: Run, proofs: list[Proof]) -> list[str]:
    """What stands against determinism in a fingerprinted run's record."""
    found = contract_caveats(run) + lint_caveats(run)
    step = run.tags.get("mlf.resumed_from_step")
    if step and not any(p.kind == "verify" and p.identical for p in proofs):
        found.append(f"it was resumed from step {step}, and no `mlf verify --resume-at` proves that resume")
    for proof in proofs:
        if not proof.identical and proof.by.fingerprint and not _same_environment(run, proof.by):
            found.append(f"run {proof.by.short} ({proof.kind}, another environment) gave another fingerprint")
    return found


def _same_environment(run: Run, other: Run) -> bool:
    return run.tags.get("mlf.environment_key") == other.tags.get("mlf.environment_key")


def _proven(run: Run, identical: list[Proof]) -> str:
    hosts = {p.by.host for p in identical} | {run.host}
    hosts.discard(None)
    dates = [p.by.end or p.by.start for p in identical]
    day = max(d for d in dates if d is not None).date().isoformat() if any(dates) else "date unknown"
    count = len(hosts) or 1
    return (f"reproduced bit for bit on {count} host{'s' if count != 1 else ''}, {day}, fingerprint "
            f"{run.fingerprint[:SHORT]}… ({len(identical) + 1} runs)")


def judge(run: Run, proofs: list[Proof]) -> Verdict:
    if run.fingerprint is None:
        return Verdict("not reproducible", f"not reproducible: {unfinished(run)}")
    differing = [p for p in proofs if not p.identical and p.by.fingerprint and _same_environment(run, p.by)]
    if differing:
        first = differing[0]
        return Verdict("not reproducible",
                       f"not reproducible: run {first.by.short} ({first.kind}, same environment) gave fingerprint "
                       f"{first.by.fingerprint[:SHORT]}…, not {run.fingerprint[:SHORT]}…",
                       tuple(caveats(run, proofs)))
    identical = [p for p in proofs if p.identical]
    against = caveats(run, proofs)
    if against:
        also = f"; {len(identical) + 1} runs were identical all the same" if identical else ""
        return Verdict("caveats", f"not proven deterministic: {against[0]}{also}", tuple(against))
    if identical:
        return Verdict("proven", _proven(run, identical))
    return Verdict("recorded", f"fingerprint {run.fingerprint[:SHORT]}… recorded, never re-done: `mlf verify` or "
                               f"`mlf reproduce {run.run_id}` proves it")


def judge_all(report) -> None:
    for run in report.runs:
        report.verdicts[run.run_id] = judge(run, report.proofs.get(run.run_id, []))
