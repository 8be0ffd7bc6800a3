"""Result fingerprints: tensors by name, files by content, final metrics; a mismatch names the first artifact."""

import json

import numpy as np
import pytest

from mlfcore.entrypoint.train import fingerprint


def write_outputs(folder, bias=(1.0, 2.0, 3.0), metrics=None):
    (folder / "tensors").mkdir(parents=True)
    np.save(folder / "tensors" / "a.weight.npy", np.arange(12, dtype=np.float32).reshape(3, 4))
    np.save(folder / "tensors" / "b.bias.npy", np.asarray(bias, dtype=np.float32))
    (folder / "metrics.json").write_text(json.dumps(metrics or {"loss": 0.5}))
    return folder


def take(folder, metrics=None):
    return fingerprint.compute(fingerprint.output_files(folder), metrics)


def test_same_outputs_same_fingerprint_in_canonical_order(tmp_path):
    first = take(write_outputs(tmp_path / "a"), {"loss": 0.25})
    second = take(write_outputs(tmp_path / "b"), {"loss": 0.25})
    assert first == second
    assert [a.name for a in first.artifacts] == ["metrics.json", "tensors/a.weight.npy", "tensors/b.bias.npy",
                                                 "metric:loss"]
    assert [a.kind for a in first.artifacts] == ["file", "tensor", "tensor", "metric"]
    assert fingerprint.Fingerprint.from_dict(json.loads(json.dumps(first.to_dict()))) == first


def test_a_differing_tensor_is_named_with_count_and_largest_difference(tmp_path):
    first = take(write_outputs(tmp_path / "a"))
    second = take(write_outputs(tmp_path / "b", bias=(1.0, 2.5, 3.0), metrics={"loss": 0.6}))
    mismatch = fingerprint.compare(first, second, tmp_path / "a", tmp_path / "b")
    # metrics.json sorts first; it differs too, but the tensor detail is what the caller asked for below.
    assert mismatch.artifact == "metrics.json" and mismatch.others == 1
    (tmp_path / "b" / "metrics.json").write_text(json.dumps({"loss": 0.5}))
    mismatch = fingerprint.compare(first, take(tmp_path / "b"), tmp_path / "a", tmp_path / "b")
    assert (mismatch.artifact, mismatch.differing, mismatch.total, mismatch.max_abs_diff) == \
        ("tensors/b.bias.npy", 1, 3, 0.5)
    assert "1 of 3 elements differ, largest absolute difference 0.5" in mismatch.describe()


def test_a_metric_difference_is_named_with_both_values(tmp_path):
    write_outputs(tmp_path / "a")
    mismatch = fingerprint.compare(take(tmp_path / "a", {"acc": 0.5}), take(tmp_path / "a", {"acc": 0.5000001}))
    assert mismatch.artifact == "metric:acc" and "0.5 != 0.5000001" in mismatch.reason


def test_a_missing_artifact_is_named(tmp_path):
    first = take(write_outputs(tmp_path / "a"))
    (tmp_path / "a" / "extra.bin").write_bytes(b"x")
    mismatch = fingerprint.compare(first, take(tmp_path / "a"))
    assert mismatch.artifact == "extra.bin" and mismatch.reason == "only in the second run"


def test_declared_outputs_are_named_relative_to_the_project(tmp_path):
    write_outputs(tmp_path / "out")
    (tmp_path / "model.bin").write_bytes(b"m")
    files = fingerprint.output_files(tmp_path, ["model.bin", "out/tensors"])
    assert list(files) == ["model.bin", "out/tensors/a.weight.npy", "out/tensors/b.bias.npy"]


def test_npy_header_differences_do_not_matter_but_dtype_does(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    np.save(tmp_path / "a" / "w.npy", np.ones(3, dtype=np.float32))
    np.save(tmp_path / "b" / "w.npy", np.asfortranarray(np.ones(3, dtype=np.float32)))
    assert take(tmp_path / "a") == take(tmp_path / "b")
    np.save(tmp_path / "b" / "w.npy", np.ones(3, dtype=np.float64))
    mismatch = fingerprint.compare(take(tmp_path / "a"), take(tmp_path / "b"))
    assert "dtype/shape differ" in mismatch.reason


def test_torch_state_dicts_are_compared_by_tensor_not_by_file_bytes(tmp_path):
    import torch

    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    state = {"layer.weight": torch.arange(6.0).reshape(2, 3), "layer.bias": torch.zeros(2)}
    torch.save(state, tmp_path / "a" / "model.pt")
    torch.save(state, tmp_path / "b" / "model.pt")
    first, second = take(tmp_path / "a"), take(tmp_path / "b")
    assert first == second
    assert [a.name for a in first.artifacts] == ["model.pt::layer.bias", "model.pt::layer.weight"]
    state["layer.weight"] = state["layer.weight"] + torch.tensor([[0, 0, 1e-3], [0, 2e-3, 0]])
    torch.save(state, tmp_path / "b" / "model.pt")
    mismatch = fingerprint.compare(first, take(tmp_path / "b"), tmp_path / "a", tmp_path / "b")
    assert (mismatch.artifact, mismatch.differing, mismatch.total) == ("model.pt::layer.weight", 2, 6)
    assert mismatch.max_abs_diff == pytest.approx(2e-3, rel=1e-3)


def test_safetensors_are_read_without_the_package(tmp_path):
    import struct

    def write(path, values):
        data = np.asarray(values, dtype="<f4").tobytes()
        header = json.dumps({"w": {"dtype": "F32", "shape": [len(values)], "data_offsets": [0, len(data)]},
                             "__metadata__": {"written": str(path)}}).encode()
        path.write_bytes(struct.pack("<Q", len(header)) + header + data)

    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    write(tmp_path / "a" / "m.safetensors", [1, 2, 3])
    write(tmp_path / "b" / "m.safetensors", [1, 2, 4])
    mismatch = fingerprint.compare(take(tmp_path / "a"), take(tmp_path / "b"), tmp_path / "a", tmp_path / "b")
    assert (mismatch.artifact, mismatch.differing, mismatch.max_abs_diff) == ("m.safetensors::w", 1, 1.0)


def test_a_bare_recorded_digest_still_decides_equality(tmp_path):
    taken = take(write_outputs(tmp_path / "a"))
    assert fingerprint.compare(fingerprint.Fingerprint(taken.digest, ()), taken) is None
    mismatch = fingerprint.compare(fingerprint.Fingerprint("0" * 64, ()), taken)
    assert mismatch.artifact == "(fingerprint)" and "cannot be named" in mismatch.reason


def test_a_plain_file_enters_by_the_same_sha256_as_the_data_hashes(tmp_path):
    from mlfcore.entrypoint.train import datahash

    (tmp_path / "model.txt").write_text('trees: 1, 2, 3')
    (artifact,) = take(tmp_path).artifacts
    assert (artifact.name, artifact.kind) == ("model.txt", fingerprint.FILE)
    assert artifact.sha256 == datahash.file_sha256(tmp_path / "model.txt")
