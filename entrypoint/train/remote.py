"""The tracking server a run is delivered to, seen from mlf: which stores are remote, how to name them without
their credentials, how to ask them something in a bounded time, and what their refusals mean.

MLflow's client retries a failing request with exponential back-off (MLFLOW_HTTP_REQUEST_MAX_RETRIES, 7 by default,
backoff factor 2: measured 248 s before it gives up on an unreachable server, and about six minutes when a server
went away in the middle of a run). mlf asks with no retries of MLflow's own and a short timeout per request
(`fail_fast`), and retries itself while a budget lasts (`Patience`): a server that is down costs a known, bounded
wait, and what failed is classified from the exception MLflow raises (the requests error it chains, or the HTTP
status it maps to an error code: mlflow/utils/rest_utils.py, http_request and verify_rest_response).
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlparse

from .. import variables
from ..errors import UsageError

# Schemes whose store lives in the project or on a local path: recorded directly, nothing to deliver.
LOCAL_SCHEMES = ("", "file", "sqlite")
# What MLflow's client knows (mlflow/tracking/_tracking_service/utils.py registers these store builders); a
# dialect+driver such as postgresql+psycopg2 counts by its dialect.
KNOWN_SCHEMES = ("http", "https", "databricks", "postgresql", "mysql", "mssql", "uc", "databricks-uc")
DEFAULT_PATIENCE_S = 30.0  # how long a delivery waits for a server that does not answer, by default
REQUEST_TIMEOUT_S = 10  # one request's connect/read timeout while delivering
PROBE_TIMEOUT_S = 10  # the start probe's
READ_TIMEOUT_S = 60  # reading a recorded run (mlf reproduce): per request, no retries
# HTTP statuses MLflow's client treats as transient (rest_utils._TRANSIENT_FAILURE_RESPONSE_CODES).
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_TOO_MANY = re.compile(r"too many (\d{3}) error responses")


def is_remote(uri: str) -> bool:
    return urlparse(uri).scheme.lower() not in LOCAL_SCHEMES


def display(uri: str) -> str:
    """The URI with any credentials masked (`http://***@host:5000`): what messages and records may show."""
    from .redact import Redactor

    return Redactor(()).text(uri)


def bare(uri: str) -> str:
    """The URI without credentials at all, for files mlf writes (a pending delivery's target)."""
    parsed = urlparse(uri)
    if parsed.username is None and parsed.password is None:
        return uri
    host = parsed.hostname or ""
    netloc = f"{host}:{parsed.port}" if parsed.port else host
    return parsed._replace(netloc=netloc).geturl()


def same_server(first: str, second: str) -> bool:
    return bare(first).rstrip("/") == bare(second).rstrip("/")


def username(uri: str) -> str | None:
    """The user MLflow logs in as: the URI's own (`http://alice:...@host`), else MLflow's credentials
    (MLFLOW_TRACKING_USERNAME, else ~/.mlflow/credentials: mlflow/utils/credentials.py, read_mlflow_creds)."""
    parsed = urlparse(uri)
    if parsed.username:
        return parsed.username
    from mlflow.utils.credentials import read_mlflow_creds

    return read_mlflow_creds().username


def check_scheme(uri: str) -> None:
    scheme = urlparse(uri).scheme.lower()
    dialect = scheme.split("+", 1)[0]
    if scheme not in LOCAL_SCHEMES and dialect not in KNOWN_SCHEMES:
        raise UsageError(f"{variables.MLFLOW_TRACKING_URI}={display(uri)!r}: unknown scheme {scheme!r}",
                         hint="a tracking server is http://HOST:PORT (or https://); a database is "
                              "postgresql+psycopg2://USER@HOST:PORT/DB; a local store is sqlite:///PATH")


@contextmanager
def fail_fast(timeout: float = REQUEST_TIMEOUT_S):
    """MLflow client calls in this block: no retries of MLflow's own, `timeout` seconds per request, and no
    "View run ... at" lines (MLflow prints them to stdout when a run ends on a server: client.py, _log_url)."""
    settings = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
                "MLFLOW_HTTP_REQUEST_TIMEOUT": str(max(1, int(timeout + 0.999))),
                "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true"}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class Failure:
    """What went wrong with one request: `kind` is one of unreachable, status (an HTTP error status),
    unauthenticated, denied, no_api (the address answers, but not MLflow's API), missing, other."""

    kind: str
    status: int | None = None
    detail: str = ""

    @property
    def transient(self) -> bool:
        return self.kind == "unreachable" or (self.kind == "status" and self.status in TRANSIENT_STATUS)


def classify(err: BaseException) -> Failure:
    import requests
    from mlflow.exceptions import MlflowException

    chained = err.__cause__ or err.__context__
    if isinstance(chained, requests.exceptions.RetryError):
        found = _TOO_MANY.search(str(chained))
        return Failure("status", int(found.group(1)) if found else 500, _first_line(chained))
    if isinstance(chained, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        return Failure("unreachable", None, _reason(chained))
    if not isinstance(err, MlflowException):
        return Failure("other", None, _first_line(err))
    code = err.error_code
    if code == "UNAUTHENTICATED":
        return Failure("unauthenticated", 401)
    if code == "PERMISSION_DENIED":
        return Failure("denied", 403)
    if code == "ENDPOINT_NOT_FOUND":
        return Failure("no_api", 404)
    if code == "RESOURCE_DOES_NOT_EXIST":
        return Failure("missing", 404, _first_line(err.message))
    if code in ("TEMPORARILY_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED"):
        return Failure("status", 503 if code == "TEMPORARILY_UNAVAILABLE" else 429, _first_line(err.message))
    return Failure("other", None, _first_line(err.message))


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0][:300] if text else ""


def _reason(err: BaseException) -> str:
    """The innermost cause a person can act on: 'Connection refused', 'Name or service not known', 'timed out'."""
    text = str(err)
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"(timed out)", r"(Connection refused)"):
        found = re.search(pattern, text)
        if found:
            return found.group(1).strip()
    return _first_line(text)


class ServerError(UsageError):
    """The server refused in a way retrying cannot fix (credentials, permissions, not MLflow): exit 2."""

    def __init__(self, message: str, *, hint: str | None = None, failure: Failure | None = None) -> None:
        super().__init__(message, hint=hint)
        self.failure = failure or Failure("other")


class Unreachable(Exception):
    """The server did not answer within the patience: the run stays pending (never a usage error)."""

    def __init__(self, uri: str, seconds: float, failure: Failure) -> None:
        what = f"HTTP {failure.status}" if failure.kind == "status" else (failure.detail or "no answer")
        super().__init__(f"the tracking server {display(uri)} did not answer for {seconds:.0f} s ({what})")
        self.failure = failure


def refusal(uri: str, failure: Failure, doing: str) -> ServerError:
    """The one-line error, naming the server (credentials masked) and what to check."""
    made = _refusal(uri, failure, doing)
    made.failure = failure
    return made


def _refusal(uri: str, failure: Failure, doing: str) -> ServerError:
    shown = display(uri)
    if failure.kind == "unauthenticated":
        user = username(uri)
        if user:
            return ServerError(f"the tracking server {shown} refused the login of user {user!r} ({doing})",
                               hint="check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or "
                                    "~/.mlflow/credentials): a wrong password or an unknown user")
        return ServerError(f"the tracking server {shown} asks for a login and no user is set ({doing})",
                           hint="set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD in the environment "
                                "(never on a command line)")
    if failure.kind == "denied":
        user = username(uri)
        return ServerError(f"user {user!r} may not {doing} on the tracking server {shown} (HTTP 403: read-only?)",
                           hint="ask the server's admin for EDIT permission on the experiment, or use another "
                                "--experiment")
    if failure.kind == "no_api":
        return ServerError(f"{shown} answers, but not as an MLflow tracking server (HTTP 404 for its API)",
                           hint=f"check {variables.MLFLOW_TRACKING_URI}: the server's address is http://HOST:PORT, "
                                "with no path after it unless the server was started with --static-prefix")
    if failure.kind == "status":
        return ServerError(f"the tracking server {shown} answered HTTP {failure.status} ({doing})",
                           hint="the server is up but failing: check its log and its database")
    if failure.kind == "unreachable":
        return ServerError(f"cannot reach the MLflow tracking server {shown}: {failure.detail}",
                           hint=f"start the server, or fix {variables.MLFLOW_TRACKING_URI}")
    return ServerError(f"the tracking server {shown} refused to {doing}: {failure.detail}",
                       hint=f"check {variables.MLFLOW_TRACKING_URI} and the server's log")


def ask(uri: str, call, *args, doing: str, timeout: float = PROBE_TIMEOUT_S, **kwargs):
    """One call, no retries: any failure is a ServerError (exit 2). For the checks before a run exists."""
    try:
        with fail_fast(timeout):
            return call(*args, **kwargs)
    except Exception as err:  # MLflow raises MlflowException, or the requests error itself for artifacts
        failure = classify(err)
        if failure.kind == "missing":
            raise
        raise refusal(uri, failure, doing) from None


class Patience:
    """Retries transient failures (no connection, a timeout, HTTP 5xx/429) until `seconds` have passed without a
    successful call; every success starts the wait again, so a long upload that progresses is never cut short."""

    def __init__(self, uri: str, seconds: float, sleep=time.sleep, clock=time.monotonic) -> None:
        self.uri, self.seconds, self._sleep, self._clock = uri, seconds, sleep, clock
        self._since = clock()
        self.retries = 0

    def remaining(self) -> float:
        return self.seconds - (self._clock() - self._since)

    def call(self, call, *args, doing: str = "write the run", **kwargs):
        pause = 0.5
        while True:
            left = self.remaining()
            try:
                with fail_fast(max(1.0, min(REQUEST_TIMEOUT_S, left))):
                    found = call(*args, **kwargs)
                self._since = self._clock()
                return found
            except Exception as err:  # classified below: transient ones are retried, the rest re-raised typed
                failure = classify(err)
                if failure.kind == "missing":
                    raise
                if not failure.transient:
                    raise refusal(self.uri, failure, doing) from None
                left = self.remaining()
                if left <= 0:
                    raise Unreachable(self.uri, self.seconds, failure) from None
                self.retries += 1
                self._sleep(min(pause, left))
                pause = min(pause * 2, 5.0)


def patience_seconds(environ=None) -> float:
    """MLF_DELIVERY_TIMEOUT (seconds), else DEFAULT_PATIENCE_S."""
    environ = os.environ if environ is None else environ
    raw = environ.get(variables.MLF_DELIVERY_TIMEOUT, "").strip()
    if not raw:
        return DEFAULT_PATIENCE_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise UsageError(f"{variables.MLF_DELIVERY_TIMEOUT}={raw!r} is not a number of seconds (0 to 86400)",
                         hint=f"unset it (default {DEFAULT_PATIENCE_S:.0f} s) or give seconds, e.g. 120")
    return value


def run_url(uri: str, experiment_id: str, run_id: str) -> str | None:
    """The run's page on an HTTP(S) server, as MLflow prints it (client.py, _log_url), without credentials (a
    browser asks for them)."""
    if urlparse(uri).scheme not in ("http", "https"):
        return None
    return f"{bare(uri).rstrip('/')}/#/experiments/{experiment_id}/runs/{run_id}"
