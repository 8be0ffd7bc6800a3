"""Bad tracking-server input: each is exit 2 with one line that names the URI (credentials masked) and what to
check, before any training, and nothing is half-logged (no run, no pending delivery, no outputs)."""

from __future__ import annotations

import http.server
import threading
import uuid

import pytest

from ..conftest import mlf
from ..reliability import note
from .projects import environment, runs, script_project

QUICK = 'import os, pathlib\npathlib.Path(os.environ["MLF_OUTPUT_DIR"], "a.txt").write_text("a")\n'


@pytest.fixture(scope="module")
def answering():
    """`answering(status)`: the URI of an HTTP server that answers every request with `status` and an HTML page,
    as a web server that is no MLflow (404) or one that is broken (500) does."""
    servers = []

    def start(status: int) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body>not here</body></html>")

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def _refused(folder, env, *expected: str, also_absent: str = ""):
    done = mlf("train", str(folder), "--no-lint", "--format", "json", env=env)
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for text in expected:
        assert text in errors[0], errors[0]
    if also_absent:
        assert also_absent not in done.stderr
    assert not (folder / "outputs").exists() and not (folder / ".mlf" / "outbox").exists()
    assert runs(folder) == []
    return errors[0]


def test_a_wrong_password_names_the_user(tracking_server, tmp_path):
    folder = script_project(tmp_path / "p", QUICK)
    env = environment(MLFLOW_TRACKING_URI=tracking_server.uri, MLFLOW_TRACKING_USERNAME="alice",
                      MLFLOW_TRACKING_PASSWORD="not-her-password")
    _refused(folder, env, "refused the login of user 'alice'", tracking_server.uri, also_absent="not-her-password")
    assert not (folder / "mlflow.db").exists()  # refused before the project's store was created
    note("bad input", "a tracking server refuses the login (wrong password)", "exit 2 naming the user and the "
                                                                              "server, nothing written")


def test_no_user_at_all(tracking_server, tmp_path):
    folder = script_project(tmp_path / "p", QUICK)
    _refused(folder, environment(MLFLOW_TRACKING_URI=tracking_server.uri), "asks for a login and no user is set")
    note("bad input", "a tracking server that asks for a login, and no user set", "exit 2, nothing written")


def test_a_read_only_reviewer_who_trains_is_told_so(tracking_server, tmp_path):
    lab = tracking_server
    experiment = f"reviewed-{uuid.uuid4().hex[:8]}"
    lab.server.client(lab.users["alice"]).create_experiment(experiment)
    folder = script_project(tmp_path / "p", QUICK)
    env = environment(MLFLOW_TRACKING_URI=lab.uri, **lab.users["reviewer"].environment())
    done = mlf("train", str(folder), "--no-lint", "--experiment", experiment, env=env)
    assert done.returncode == 2, done.stderr[-3000:]
    assert f"user 'reviewer' may not create a run in experiment '{experiment}'" in done.stderr
    assert "HTTP 403" in done.stderr
    found = lab.server.client().get_experiment_by_name(experiment)
    assert lab.server.client().search_runs([found.experiment_id]) == []  # nothing half-logged on the server
    assert runs(folder) == [] and not (folder / "outputs").exists()
    assert not list((folder / ".mlf" / "outbox").glob("*.json")) if (folder / ".mlf").exists() else True
    note("bad input", "a read-only reviewer runs `mlf train` in a lab experiment", "exit 2: the user may not "
                                                                                   "create a run (HTTP 403), "
                                                                                   "nothing written")


@pytest.mark.parametrize("status, expected", [(404, "answers, but not as an MLflow tracking server"),
                                              (500, "answered HTTP 500")])
def test_an_http_server_that_is_no_tracking_server(answering, tmp_path, status, expected):
    uri = answering(status)
    folder = script_project(tmp_path / "p", QUICK)
    _refused(folder, environment(MLFLOW_TRACKING_URI=uri), expected, uri)
    note("bad input", f"MLFLOW_TRACKING_URI=an http server answering {status}", "exit 2 at once (no retries), the "
                                                                                "URI named")


@pytest.mark.parametrize("uri, expected", [("htp://alice:secret@127.0.0.1:5000", "unknown scheme 'htp'"),
                                           ("postgresql://alice:secret@127.0.0.1:1/mlflow",
                                            "database driver is not installed")])
def test_a_uri_with_a_typo(tmp_path, uri, expected):
    folder = script_project(tmp_path / "p", QUICK)
    line = _refused(folder, environment(MLFLOW_TRACKING_URI=uri), expected, also_absent="secret")
    assert "***@127.0.0.1" in line
    note("bad input", f"MLFLOW_TRACKING_URI with a typo ({uri.split(':')[0]}://...)",
         "exit 2 naming the URI with its credentials masked")


def test_a_database_that_refuses_the_login(tracking_server, tmp_path):
    folder = script_project(tmp_path / "p", QUICK)
    uri = tracking_server.database_uri(password="wrong-password")
    _refused(folder, environment(MLFLOW_TRACKING_URI=uri), "refused the login of user 'mlflow'",
             f"postgresql+psycopg2://***@127.0.0.1:{tracking_server.postgres.port}/mlflow",
             also_absent="wrong-password")
    note("bad input", "MLFLOW_TRACKING_URI=postgresql+psycopg2://... and PostgreSQL refuses the login",
         "exit 2 in seconds (MLflow retried for about 100 s), the user named, the password masked")
