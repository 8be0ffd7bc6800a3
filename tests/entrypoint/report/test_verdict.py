"""What a report claims about a run: never more than its record proves (report/verdict.py), on records made here
field by field — each case is one thing a real record can say."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mlfcore.entrypoint.report.model import Proof, Run
from mlfcore.entrypoint.report.verdict import judge

CLEAN_LINT = {"findings": [], "files": 1, "lines": 10, "tables": {}}


def _run(run_id: str = "a" * 32, fingerprint: str | None = "f" * 64, status: str = "FINISHED", key: str = "k1",
         host: str = "host-a", tags: dict | None = None, params: dict | None = None, lint: dict | None = None) -> Run:
    all_tags = {"mlf.environment_key": key, "mlf.lint_errors": "0", **(tags or {})}
    if fingerprint:
        all_tags["mlf.fingerprint"] = fingerprint
    records = {"lint": CLEAN_LINT if lint is None else lint, "contract": {"deviations": [], "allow": []},
               "sysinfo": {"collected": {"hostname": host}}}
    return Run(run_id, "e", status, None, datetime(2026, 12, 6, tzinfo=timezone.utc), all_tags,
               {"mlf.allow_nondeterministic": "false", **(params or {})}, records)


def _proof(run: Run, other: Run, kind: str = "verify") -> Proof:
    return Proof(kind, run.run_id, other, other.fingerprint == run.fingerprint,
                 "mlf.resumed_from_step" in run.tags or "mlf.resumed_from_step" in other.tags)


def test_an_identical_rerun_on_another_host_is_proof():
    run = _run()
    verdict = judge(run, [_proof(run, _run("b" * 32, host="host-b"), "reproduce")])
    assert verdict.level == "proven"
    assert verdict.headline == "reproduced bit for bit on 2 hosts, 2026-12-06, fingerprint ffffffff… (2 runs)"


def test_a_run_never_redone_is_only_recorded():
    verdict = judge(_run(), [])
    assert verdict.level == "recorded" and "never re-done" in verdict.headline and not verdict.failed


@pytest.mark.parametrize("status, tags, words", [
    ("FAILED", {}, "not reproducible: the training ended FAILED without a result fingerprint"),
    ("KILLED", {"mlf.step_reached": "7"}, "not reproducible: it was killed after step 7 and never finished"),
    ("FAILED", {"mlf.failure": "the mlf that owned this run died"}, "the mlf that owned this run died (FAILED)"),
])
def test_a_run_without_a_fingerprint_says_why(status, tags, words):
    verdict = judge(_run(fingerprint=None, status=status, tags=tags), [])
    assert verdict.failed and words in verdict.headline


def test_a_run_mlf_did_not_make_says_so():
    run = Run("c" * 32, "e", "FINISHED", None, None, {"mlflow.user": "me"}, {})
    assert judge(run, []).headline == ("not reproducible: it was not made by `mlf train`: it records no seed, "
                                      "contract or fingerprint")


def test_a_different_result_in_the_same_environment_is_not_reproducible():
    run = _run()
    verdict = judge(run, [_proof(run, _run("b" * 32, fingerprint="0" * 64))])
    assert verdict.failed and "run bbbbbbbb (verify, same environment) gave fingerprint 00000000…" in verdict.headline


def test_a_different_result_in_another_environment_is_a_caveat_not_a_failure():
    run = _run()
    verdict = judge(run, [_proof(run, _run("b" * 32, fingerprint="0" * 64, key="k2"), "reproduce")])
    assert verdict.level == "caveats" and "another environment) gave another fingerprint" in verdict.headline


@pytest.mark.parametrize("change, words", [
    (dict(params={"mlf.allow_nondeterministic": "true"}, tags={"mlf.nondeterministic": "true"}),
     "it ran with --allow-nondeterministic"),
    (dict(lint={"skipped": "--no-lint"}, tags={"mlf.lint_errors": "skipped"}),
     "the pre-run lint was skipped (--no-lint)"),
    (dict(lint={"findings": [{"rule": "file-skipped", "path": "big.py", "severity": "warning",
                              "message": "not checked: larger than 65536 bytes"}]}),
     "the lint was incomplete: big.py could not be checked completely"),
    (dict(lint={"findings": [{"rule": "torch-nondeterministic", "path": "t.py", "line": 3, "severity": "error",
                              "message": "x"}]}),
     "1 lint error was let through (first: torch-nondeterministic at t.py:3)"),
    (dict(tags={"mlf.resumed_from_step": "40"}),
     "it was resumed from step 40, and no `mlf verify --resume-at` proves that resume"),
])
def test_what_stands_against_a_run_is_said_at_the_top_even_when_reruns_agree(change, words):
    run = _run(**change)
    verdict = judge(run, [_proof(run, _run("b" * 32), "reproduce")])
    assert verdict.level == "caveats" and verdict.headline.startswith(f"not proven deterministic: {words}")
    assert "2 runs were identical all the same" in verdict.headline


def test_a_resume_that_verify_proved_is_no_caveat():
    run = _run(tags={"mlf.resumed_from_step": "40"})
    assert judge(run, [_proof(run, _run("b" * 32))]).level == "proven"
