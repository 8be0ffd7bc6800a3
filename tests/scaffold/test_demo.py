"""`make demo`'s comparison step, against a stand-in docker client (the real one runs in tests/images/)."""

import json
import os

import pytest

from mlfcore.scaffold import demo


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    """A `docker` that answers `run ... train --json` with the next fingerprint from a list, and records its args."""
    answers = tmp_path / "answers"
    script = tmp_path / "docker"
    script.write_text(f"""#!/bin/sh
echo "$@" >> {tmp_path}/calls
first=$(head -n1 {answers}); sed -i 1d {answers}
printf '{{"run_id": "r-%s", "fingerprint": "%s"}}' "$first" "$first"
""")
    os.chmod(script, 0o755)
    monkeypatch.setattr(demo, "DOCKER", str(script))

    def given(*fingerprints):
        answers.write_text("".join(f"{f}\n" for f in fingerprints))
        return tmp_path / "calls"
    return given


def test_identical_fingerprints_exit_0(fake_docker, capsys):
    calls = fake_docker("aaa", "aaa")
    assert demo.main(["run", "--image", "mlfcore/pytorch:x"]) == 0
    assert "identical" in capsys.readouterr().out
    lines = calls.read_text().splitlines()
    assert len(lines) == 2 and all(line.endswith("mlfcore/pytorch:x train --json") for line in lines)
    assert lines[0].split()[3].endswith(":/workspace")


def test_different_fingerprints_exit_1(fake_docker, capsys):
    fake_docker("aaa", "bbb")
    assert demo.main(["run", "--image", "mlfcore/pytorch:x"]) == 1
    assert "DIFFERENT" in capsys.readouterr().out
