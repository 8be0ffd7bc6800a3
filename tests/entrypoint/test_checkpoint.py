"""Checkpoint manifests: atomic commit, validity, damage, and the environment key check."""

import json

import pytest

from mlfcore.entrypoint import checkpoint, variables
from mlfcore.entrypoint.errors import EXIT_CONTRACT


def _write(folder, step, ranks=1, text="state", **kwargs):
    for rank in range(ranks):
        checkpoint.write_atomically(checkpoint.payload_path(folder, step, rank),
                                    lambda path: path.write_text(f"{text} {step} {rank}"))
    return checkpoint.commit(folder, step, ranks, **kwargs)


def test_a_committed_checkpoint_is_valid_and_the_older_one_is_removed(tmp_path):
    _write(tmp_path, 10, ranks=2, environ={variables.MLF_ENVIRONMENT_KEY: "k1"})
    manifest = _write(tmp_path, 20, ranks=2, partitioning="P", environ={variables.MLF_ENVIRONMENT_KEY: "k1"})
    assert checkpoint.is_valid(tmp_path)
    assert manifest["step"] == 20 and manifest["world_size"] == 2 and manifest["environment_key"] == "k1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.json", "step-000020"]
    manifest, path = checkpoint.load(tmp_path, rank=1, environ={variables.MLF_ENVIRONMENT_KEY: "k1"})
    assert path.read_text() == "state 20 1"


def test_no_checkpoint_yet_is_none_and_not_valid(tmp_path):
    assert checkpoint.load(tmp_path) is None
    assert not checkpoint.is_valid(tmp_path)


def test_a_changed_payload_makes_the_checkpoint_invalid(tmp_path):
    _write(tmp_path, 5)
    checkpoint.payload_path(tmp_path, 5, 0).write_text("tampered")
    assert checkpoint.problems(tmp_path) == ["step-000005/rank-0.pt does not match its SHA-256 in the manifest"]
    with pytest.raises(checkpoint.InvalidCheckpoint, match="damaged"):
        checkpoint.load(tmp_path)


def test_commit_refuses_when_a_rank_wrote_nothing(tmp_path):
    checkpoint.write_atomically(checkpoint.payload_path(tmp_path, 3, 0), lambda path: path.write_text("x"))
    with pytest.raises(checkpoint.InvalidCheckpoint, match="rank 1 wrote no checkpoint"):
        checkpoint.commit(tmp_path, 3, 2)
    assert not (tmp_path / checkpoint.MANIFEST).exists()


def test_a_failed_write_leaves_no_file_and_the_previous_one_intact(tmp_path):
    target = tmp_path / "file"
    target.write_text("before")

    def half(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        checkpoint.write_atomically(target, half)
    assert target.read_text() == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_another_environment_key_is_a_contract_conflict_unless_nondeterministic(tmp_path):
    _write(tmp_path, 1, environ={variables.MLF_ENVIRONMENT_KEY: "a" * 64})
    with pytest.raises(checkpoint.EnvironmentChanged) as refused:
        checkpoint.load(tmp_path, environ={variables.MLF_ENVIRONMENT_KEY: "b" * 64})
    assert refused.value.exit_code == EXIT_CONTRACT
    assert "aaaaaaaaaaaa" in refused.value.message and "bbbbbbbbbbbb" in refused.value.message
    allowed = {variables.MLF_ENVIRONMENT_KEY: "b" * 64, variables.MLF_NONDETERMINISTIC: "1"}
    assert checkpoint.load(tmp_path, environ=allowed)[0]["step"] == 1


def test_a_manifest_of_another_format_is_refused(tmp_path):
    (tmp_path / checkpoint.MANIFEST).write_text(json.dumps({"format_version": 99}))
    with pytest.raises(checkpoint.InvalidCheckpoint, match="format version 1"):
        checkpoint.load(tmp_path)
