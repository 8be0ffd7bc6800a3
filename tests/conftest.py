"""Fixtures every test folder shares: the Docker engine the image, scaffold and publish tests drive."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def engine():
    """The docker SDK client; an error in CI when no engine answers (.ci/run starts one), a skip elsewhere."""
    import docker

    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except Exception as failure:  # the SDK raises several types for "no engine"; any of them means the same
        message = f"no Docker engine answers ({type(failure).__name__}): start dockerd (see .ci/run)"
        if IN_CI:
            pytest.fail(f"tests that drive the Docker engine are required in CI: {message}", pytrace=False)
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture(scope="session")
def tracking_server(tmp_path_factory):
    """A lab's tracking server for the session (tests/tracking_server.py): Debian's PostgreSQL 15 in a temporary
    folder and the real `mlflow server` with basic auth and proxied artifacts on 127.0.0.1; users alice and bob
    (writers) and reviewer (read-only). An error in CI when PostgreSQL 15 or MLflow's server is missing (.ci/run
    installs postgresql-15; `make venv` the server extra), a skip elsewhere."""
    import importlib.util

    from tracking_server import postgres_bin, start_lab, stop_lab

    missing = [what for what, found in (("Debian's postgresql-15 (/usr/lib/postgresql/15/bin)", postgres_bin()),
                                        ("MLflow's server (pip install 'mlfcore[server]')",
                                         importlib.util.find_spec("flask_wtf") and importlib.util.find_spec(
                                             "psycopg2"))) if not found]
    if missing:
        message = f"the tracking-server tests need {' and '.join(missing)}"
        if IN_CI:
            pytest.fail(f"{message}: required in CI", pytrace=False)
        pytest.skip(message)
    lab = start_lab(tmp_path_factory.mktemp("lab"))
    yield lab
    stop_lab(lab)


_BUILT: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="session")
def build_image(engine):
    """`build_image(name, variant)`: build one of our images with the build cache, once per session, the way
    `make image/<name>` does (WHEELHOUSE, CA_BUNDLE and BASE_IMAGE from the environment, as the Makefile exports
    them), and return its full local reference. The parent must be built first."""
    import subprocess
    import sys

    from mlfcore.scaffold import identity

    def build(name: str, variant: str = "cpu") -> str:
        if (name, variant) not in _BUILT:
            command = [sys.executable, "-m", "mlfcore.scaffold.images.build", name, "--variant", variant]
            for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE"),
                                     ("--base-image", "BASE_IMAGE")):
                if os.environ.get(variable):
                    command += [option, os.environ[variable]]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                pytest.fail(f"building {name}:{variant} failed:\n{result.stderr[-4000:]}", pytrace=False)
            _BUILT[name, variant] = identity.tags(name, variant)[0]
        return _BUILT[name, variant]

    return build


# ---- Load: `--burners N` runs N CPU burners beside the session (`make stress`, and CI's short stress pass), so the
# tests marked `stress` (signals, preemption, kills, concurrency) meet the load of a busy machine on purpose.
def pytest_addoption(parser):
    parser.addoption("--burners", type=int, default=0, metavar="N",
                     help="keep N busy loops (one process each) running beside the session")


_BURNERS: list = []


def pytest_sessionstart(session):
    import subprocess
    import sys

    for _ in range(session.config.getoption("--burners")):
        _BURNERS.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))


def pytest_sessionfinish(session, exitstatus):
    for burner in _BURNERS:
        burner.kill()
        burner.wait()
    _BURNERS.clear()


def pytest_terminal_summary(terminalreporter):
    """A kind of CPU the golden table's hosts lack that reproduced golden values: say how to add it (docs/PROOF.md
    then shows where the bits were proven)."""
    import sys

    if "mlfcore.scaffold.golden.check" not in sys.modules:  # no test compared a golden value
        return
    from mlfcore.scaffold.golden import check, hosts, table

    for record, entries in check.new_kinds(table.load()).values():
        facts = hosts.cpu(record)
        terminalreporter.write_line(
            f"golden fingerprints: this machine's CPU ({facts['model']}, {facts['vendor']}, ISA level "
            f"{facts['level']}) reproduced {len(entries)} golden value(s) and is not among the table's hosts: "
            "`make golden-hosts` adds it")


def pytest_report_header(config):
    count = config.getoption("--burners")
    return f"load: {count} CPU burner(s) beside the session" if count else None
