"""A lab's tracking server for the tests: Debian's PostgreSQL 15 in a temporary folder, and the real `mlflow server`
(basic auth, proxied artifacts) on 127.0.0.1, started by the deployment `mlf-scaffold tracking-server` renders: its
`server/lab serve` on the host (as its README's "Without compose" runs it), its users made by `server/lab users`.
One of each per test session (tests/conftest.py, `tracking_server`); readiness is polled (`pg_ctl -w`, the
server's /health), never slept on.

`Switch` is a TCP relay in front of the server that a test can cut and restore: the server "blips" for the client
(connections refused) while the server and its database keep running, so the test decides exactly when.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

ADMIN = "admin"
WRITERS, REVIEWERS = ("alice", "bob"), ("reviewer",)
START_TIMEOUT_S = 600  # a ceiling for a stuck start on a loaded machine, not a speed check


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/15/bin/initdb"))
    return Path(found[0]).parent if found else None


class Postgres:
    """A PostgreSQL 15 cluster in a temporary folder of its own, listening on 127.0.0.1 only. initdb refuses to run
    as root: as root, the cluster runs as Debian's `postgres` user, in a folder directly under the temp folder
    (pytest's are private to root, and postgres could not enter them)."""

    def __init__(self, superuser_password: str) -> None:
        import tempfile

        self.folder, self.password = Path(tempfile.mkdtemp(prefix="mlf-test-postgres-")), superuser_password
        self.bin = postgres_bin()
        self.port = free_port()
        self.data = self.folder / "data"

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        password_file = self.folder / "superuser-password"
        password_file.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(password_file, "postgres")
        try:
            self._initdb(password_file)
        finally:
            password_file.unlink(missing_ok=True)
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        subprocess.run(self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                                       "-l", str(self.folder / "server.log"), "-w", "-t", str(START_TIMEOUT_S),
                                       "start"]), check=True, capture_output=True, text=True)

    def _initdb(self, password_file: Path) -> None:
        subprocess.run(self._as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                                       "--auth=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8"]),
                       check=True, capture_output=True, text=True)

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                               "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],
                              env={**os.environ, "PGPASSWORD": self.password}, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout

    def stop(self) -> None:
        subprocess.run(self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                                       "stop"]), capture_output=True, text=True)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class User:
    name: str
    password: str

    def environment(self) -> dict[str, str]:
        return {"MLFLOW_TRACKING_USERNAME": self.name, "MLFLOW_TRACKING_PASSWORD": self.password}


def render_deployment(folder: Path) -> Path:
    """The deployment `mlf-scaffold tracking-server` renders, into `folder`."""
    done = subprocess.run([sys.executable, "-m", "mlfcore.scaffold.cli", "tracking-server", "lab", "--dir",
                           str(folder), "--from-image", "mlfcore/base:cpu"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"mlf-scaffold tracking-server failed: {done.stderr}")
    return folder


class MlflowServer:
    """The deployment's `server/lab serve` on this host: `mlflow server` with basic auth, backed by `database_uri`,
    artifacts proxied into `folder/artifacts`. It is started with setsid (mlflow starts worker processes of its
    own) and stopped by its process group."""

    def __init__(self, folder: Path, database_uri: str, auth_database_uri: str, admin_password: str) -> None:
        self.folder, self.database_uri, self.auth_database_uri = folder, database_uri, auth_database_uri
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.admin = User(ADMIN, admin_password)
        folder.mkdir(parents=True, exist_ok=True)
        self.deployment = render_deployment(folder / "deployment")
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        """What compose.yaml gives the server's container, for this host (the secrets in the environment only)."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("MLFLOW_", "MLF_"))}
        env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                   TMPDIR=str(self.folder), MLFLOW_HOST="127.0.0.1", MLFLOW_PORT=str(self.port), MLFLOW_WORKERS="1",
                   MLFLOW_BACKEND_STORE_URI=self.database_uri, MLFLOW_AUTH_DATABASE_URI=self.auth_database_uri,
                   MLFLOW_AUTH_ADMIN_PASSWORD=self.admin.password,
                   MLFLOW_FLASK_SERVER_SECRET_KEY=secrets.token_hex(16),
                   MLFLOW_ARTIFACTS_DESTINATION=str(self.folder / "artifacts"), LAB_SERVER_URI=self.uri)
        return env

    def lab(self, *args: str, **run) -> subprocess.CompletedProcess:
        """`server/lab ARGS` of the deployment, in the server's environment."""
        return subprocess.run([str(self.deployment / "server" / "lab"), *args], env=self.environment(),
                              capture_output=True, text=True, **run)

    def start(self) -> None:
        log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen([str(self.deployment / "server" / "lab"), "serve"], env=self.environment(),
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.uri}/health", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)  # polling interval of the readiness check
        raise RuntimeError(f"mlflow server did not answer /health in {START_TIMEOUT_S} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        try:  # the workers and job consumers mlflow started, should any outlive their leader
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    @contextmanager
    def as_user(self, user: User):
        """MLflow's clients in this block log in as `user` (they read the credentials from the environment)."""
        with mock.patch.dict(os.environ, {"MLFLOW_TRACKING_URI": self.uri, **user.environment()}):
            yield

    def client(self, user: User | None = None):
        """An MlflowClient that logs in as `user` (the admin by default) on every call."""
        return _Client(self, user or self.admin)

    def create_users(self) -> dict[str, User]:
        """alice and bob as writers, reviewer as a reviewer: `lab users add`, the password on standard input."""
        users = {name: User(name, secrets.token_urlsafe(12)) for name in (*WRITERS, *REVIEWERS)}
        for user in users.values():
            kind = "--writer" if user.name in WRITERS else "--reviewer"
            done = self.lab("users", "add", user.name, kind, input=user.password + "\n")
            if done.returncode != 0:
                raise RuntimeError(f"lab users add {user.name} failed: {done.stderr[-2000:]}")
        return users


class _Client:
    """MlflowClient's methods, each called with the user's credentials in the environment."""

    def __init__(self, server: MlflowServer, user: User) -> None:
        self._server, self._user = server, user

    def __getattr__(self, name):
        from mlflow.tracking import MlflowClient

        def call(*args, **kwargs):
            with self._server.as_user(self._user):
                return getattr(MlflowClient(self._server.uri), name)(*args, **kwargs)

        return call

    def artifact_files(self, run_id: str, path: str | None = None) -> list[str]:
        found = []
        for info in self.list_artifacts(run_id, path):
            found += self.artifact_files(run_id, info.path) if info.is_dir else [info.path]
        return sorted(found)


class Switch:
    """A TCP relay on its own port to `target_port`: `cut()` refuses new connections and drops open ones (the
    server is gone for the client), `restore()` listens again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            except OSError:
                pass
            listener.close()
        with self._lock:
            for connection in list(self._open):
                _close(connection)
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with self._lock:
                    self._open.discard(end)
                _close(end)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


@dataclass
class Lab:
    """The session's server, its database and its users."""

    postgres: Postgres
    server: MlflowServer
    users: dict[str, User]
    database_password: str

    @property
    def uri(self) -> str:
        return self.server.uri

    def switch(self) -> Switch:
        """A relay in front of the server that the test can cut and restore (the caller cuts it when done)."""
        return Switch(self.server.port)

    def database_uri(self, password: str | None = None) -> str:
        return (f"postgresql+psycopg2://mlflow:{password or self.database_password}@127.0.0.1:"
                f"{self.postgres.port}/mlflow")


def start_lab(folder: Path) -> Lab:
    postgres = Postgres(secrets.token_urlsafe(12))
    postgres.start()
    database_password = secrets.token_urlsafe(12)
    postgres.sql(f"CREATE ROLE mlflow LOGIN PASSWORD '{database_password}'")
    postgres.sql("CREATE DATABASE mlflow OWNER mlflow")
    postgres.sql("CREATE DATABASE mlflow_auth OWNER mlflow")
    base = f"postgresql+psycopg2://mlflow:{database_password}@127.0.0.1:{postgres.port}"
    server = MlflowServer(folder / "mlflow", f"{base}/mlflow", f"{base}/mlflow_auth", secrets.token_urlsafe(12))
    try:
        server.start()
        users = server.create_users()
    except BaseException:
        server.stop()
        postgres.stop()
        raise
    return Lab(postgres, server, users, database_password)


def stop_lab(lab: Lab) -> None:
    lab.server.stop()
    lab.postgres.stop()
