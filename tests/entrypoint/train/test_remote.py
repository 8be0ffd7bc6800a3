"""The bounded wait for a tracking server (train/remote.py), with a clock the test moves: no test here waits."""

from __future__ import annotations

import pytest
import requests
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import PERMISSION_DENIED

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.train import remote


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def refused():
    """What MLflow's client raises for a server that refuses the connection (rest_utils.http_request)."""
    try:
        raise requests.exceptions.ConnectionError("[Errno 111] Connection refused")
    except requests.exceptions.ConnectionError:
        raise MlflowException("API request to http://x/api failed with exception ...") from None


def test_a_server_that_never_answers_costs_the_patience_and_no_more():
    clock, calls = Clock(), []

    def call():
        calls.append(clock.now)
        clock.now += 0.1  # each refused connection takes a little time
        refused()

    patience = remote.Patience("http://alice:pw@host:5000", 30, sleep=clock.sleep, clock=clock)
    with pytest.raises(remote.Unreachable, match=r"http://\*\*\*@host:5000 did not answer for 30 s") as caught:
        patience.call(call)
    assert caught.value.failure.kind == "unreachable"
    assert 30 <= clock.now <= 30.2 and len(calls) > 3


def test_every_success_starts_the_wait_again():
    clock = Clock()
    outcomes = iter(["fail"] * 5 + ["ok"] + ["fail"] * 5 + ["ok"])

    def call():
        clock.now += 1
        if next(outcomes) == "fail":
            refused()
        return "done"

    patience = remote.Patience("http://host:5000", 30, sleep=clock.sleep, clock=clock)
    assert patience.call(call) == "done" and patience.call(call) == "done"
    assert clock.now > 30  # longer than the patience in all, never that long without an answer


def test_a_refusal_is_not_retried():
    clock = Clock()

    def call():
        raise MlflowException("denied", error_code=PERMISSION_DENIED)  # what an HTTP 403 becomes

    with pytest.raises(remote.ServerError, match="may not write the run"):
        remote.Patience("http://host:5000", 30, sleep=clock.sleep, clock=clock).call(call)
    assert clock.slept == []


@pytest.mark.parametrize("raw, seconds", [(None, 30.0), ("", 30.0), ("5", 5.0), ("0", 0.0), ("2.5", 2.5)])
def test_the_patience_is_30_s_unless_set(raw, seconds):
    assert remote.patience_seconds({} if raw is None else {"MLF_DELIVERY_TIMEOUT": raw}) == seconds


@pytest.mark.parametrize("raw", ["-1", "soon", "1e9", "nan"])
def test_a_bad_patience_is_bad_input(raw):
    with pytest.raises(UsageError, match="MLF_DELIVERY_TIMEOUT"):
        remote.patience_seconds({"MLF_DELIVERY_TIMEOUT": raw})


def test_uris_are_shown_masked_and_kept_without_credentials():
    uri = "https://alice:s3cret@mlflow.lab.example:8443/prefix"
    assert remote.display(uri) == "https://***@mlflow.lab.example:8443/prefix"
    assert remote.bare(uri) == "https://mlflow.lab.example:8443/prefix"
    assert remote.same_server(uri, "https://mlflow.lab.example:8443/prefix/")
    assert remote.run_url(uri, "3", "abc") == "https://mlflow.lab.example:8443/prefix/#/experiments/3/runs/abc"
    assert remote.is_remote(uri) and not remote.is_remote("sqlite:///x.db") and not remote.is_remote("/data/mlruns")
