"""Reading a real TensorBoard server over HTTP, as a browser does: the tests that start one (`mlf tensorboard`) poll
it with this until it answers with what was logged. TensorBoard lists a run before it has loaded all of its event
files, so a caller waits for the answer it expects, not for the first answer."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def get(url: str):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def poll(url: str, done, server: subprocess.Popen, log: Path, patience_s: float):
    """The JSON at `url` once `done(answer)` holds; fails with the server's log after `patience_s` (a guard against
    a hang, never what decides a pass) or when the server ended."""
    deadline, answer = time.monotonic() + patience_s, None
    while time.monotonic() < deadline and server.poll() is None:
        try:
            answer = get(url)
            if done(answer):
                return answer
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} answered {answer!r} (exit {server.poll()}); the server's log:\n{log.read_text()[-4000:]}")
