"""Model formats in the fingerprint: saves of the same model agree, any weight change does not (real frameworks)."""

import json
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from mlfcore.entrypoint.train import fingerprint

KERAS_SAVE = """\
import os, sys
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
for target in sys.argv[1:]:
    model.save(target)
"""


def take(folder, declared=()):
    return fingerprint.compute(fingerprint.output_files(folder, declared))


@pytest.fixture(scope="session")
def keras_saves(tmp_path_factory):
    """One model saved as .keras twice, a second apart (Keras writes the time into metadata.json), and as .h5."""
    folder = tmp_path_factory.mktemp("keras")
    for name in ("a", "b"):
        (folder / name).mkdir()
    save = [sys.executable, "-c", KERAS_SAVE]
    subprocess.run(save + [str(folder / "a" / "model.keras"), str(folder / "a" / "model.h5")], check=True)
    time.sleep(1.1)
    subprocess.run(save + [str(folder / "b" / "model.keras"), str(folder / "b" / "model.h5")], check=True)
    return folder


def test_two_keras_saves_differ_in_bytes_but_not_in_the_fingerprint(keras_saves):
    a, b = keras_saves / "a" / "model.keras", keras_saves / "b" / "model.keras"
    assert a.read_bytes() != b.read_bytes()  # the date_saved field: what broke verify for every .keras model
    with zipfile.ZipFile(a) as one, zipfile.ZipFile(b) as two:
        assert json.loads(one.read("metadata.json"))["date_saved"] != json.loads(two.read("metadata.json"))[
            "date_saved"]
    assert take(keras_saves / "a", ["model.keras"]).digest == take(keras_saves / "b", ["model.keras"]).digest
    names = {artifact.name for artifact in take(keras_saves / "a", ["model.keras"]).artifacts}
    assert "model.keras::model.weights.h5::layers/dense/vars/0" in names


def _change_one_keras_weight(source, target):
    import io

    import h5py

    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as handle:
        kernel = handle["layers/dense/vars/0"]
        values = kernel[()]
        values[0, 0] += 1e-6
        kernel[...] = values
    members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_one_changed_keras_weight_is_named_with_its_detail(keras_saves, tmp_path):
    (tmp_path / "changed").mkdir()
    _change_one_keras_weight(keras_saves / "a" / "model.keras", tmp_path / "changed" / "model.keras")
    first, second = take(keras_saves / "a", ["model.keras"]), take(tmp_path / "changed", ["model.keras"])
    mismatch = fingerprint.compare(first, second, keras_saves / "a", tmp_path / "changed")
    assert mismatch.artifact == "model.keras::model.weights.h5::layers/dense/vars/0"
    assert (mismatch.differing, mismatch.total) == (1, 6)


def test_h5_files_enter_by_datasets_and_attributes(keras_saves, tmp_path):
    first, again = take(keras_saves / "a", ["model.h5"]), take(keras_saves / "b", ["model.h5"])
    assert first.digest == again.digest
    kinds = {artifact.kind for artifact in first.artifacts}
    assert kinds == {fingerprint.TENSOR, fingerprint.FILE}  # weights, and the attributes (model_config, ...)
    import h5py

    shutil.copy(keras_saves / "a" / "model.h5", tmp_path / "model.h5")
    with h5py.File(tmp_path / "model.h5", "r+") as handle:
        path = next(a.name for a in first.artifacts if a.name.endswith("kernel")).partition("::")[2]
        handle[path][0, 0] = handle[path][0, 0] + 1.0
    mismatch = fingerprint.compare(first, take(tmp_path, ["model.h5"]), keras_saves / "a", tmp_path)
    assert mismatch.artifact.endswith("kernel") and mismatch.differing == 1


@pytest.fixture(scope="session")
def booster():
    import numpy as np
    import xgboost

    rng = np.random.default_rng(0)
    features, labels = rng.normal(size=(64, 3)), rng.integers(0, 2, 64)
    return xgboost.train({"objective": "binary:logistic", "seed": 0, "nthread": 1},
                         xgboost.DMatrix(features, labels), num_boost_round=3)


def test_xgboost_json_by_content_not_layout(booster, tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    booster.save_model(tmp_path / "a" / "model.json")
    document = json.loads((tmp_path / "a" / "model.json").read_text())
    (tmp_path / "b" / "model.json").write_text(json.dumps(document, indent=2, sort_keys=True))
    assert (tmp_path / "a" / "model.json").read_bytes() != (tmp_path / "b" / "model.json").read_bytes()
    assert take(tmp_path / "a").digest == take(tmp_path / "b").digest
    document["learner"]["gradient_booster"]["model"]["trees"][0]["split_conditions"][0] += 1e-3
    (tmp_path / "c" / "model.json").write_text(json.dumps(document))
    assert fingerprint.compare(take(tmp_path / "a"), take(tmp_path / "c")).artifact == "model.json"


def test_xgboost_ubj_is_read_by_its_model(booster, tmp_path):
    import xgboost

    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    booster.save_model(tmp_path / "a" / "model.ubj")
    xgboost.Booster(model_file=str(tmp_path / "a" / "model.ubj")).save_model(tmp_path / "b" / "model.ubj")
    assert take(tmp_path / "a").digest == take(tmp_path / "b").digest
    changed = booster.copy()
    changed.set_param({"eta": 0.5})
    changed.update(xgboost.DMatrix([[0.0, 1.0, 2.0]], [1]), 3)
    changed.save_model(tmp_path / "b" / "model.ubj")
    assert take(tmp_path / "a").digest != take(tmp_path / "b").digest


def test_mlflow_model_folders_ignore_what_names_the_save(tmp_path):
    import mlflow.sklearn
    import numpy as np
    from sklearn.linear_model import ElasticNet

    features = np.arange(30, dtype=float).reshape(10, 3)
    model = ElasticNet(alpha=0.1, random_state=0).fit(features, features.sum(axis=1))
    mlflow.sklearn.save_model(model, tmp_path / "a" / "model", serialization_format="cloudpickle")
    time.sleep(0.01)
    mlflow.sklearn.save_model(model, tmp_path / "b" / "model", serialization_format="cloudpickle")
    one, two = (tmp_path / "a" / "model" / "MLmodel").read_text(), (tmp_path / "b" / "model" / "MLmodel").read_text()
    assert one != two  # utc_time_created and model_uuid
    assert take(tmp_path / "a").digest == take(tmp_path / "b").digest
    refit = ElasticNet(alpha=0.2, random_state=0).fit(features, features.sum(axis=1))
    mlflow.sklearn.save_model(refit, tmp_path / "c" / "model", serialization_format="cloudpickle")
    assert fingerprint.compare(take(tmp_path / "a"), take(tmp_path / "c")).artifact == "model/model.pkl"


def test_declared_outputs_take_globs_and_excludes(tmp_path):
    for name in ("model/a.npy", "model/tmp/b.npy", "logs/run.txt", "metrics.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    files = fingerprint.output_files(tmp_path, ["model", "!model/tmp/*", "*.json"])
    assert list(files) == ["metrics.json", "model/a.npy"]
    assert fingerprint.missing_outputs(tmp_path, ["model/*.npy", "*.keras", "!x"]) == ["*.keras"]


def test_the_algorithm_version_is_recorded_and_compared(tmp_path):
    (tmp_path / "m.txt").write_text("x")
    taken = take(tmp_path)
    assert taken.to_dict()["algorithm"] == fingerprint.ALGORITHM == 3
    old = fingerprint.Fingerprint.from_dict({**taken.to_dict(), "algorithm": 1})
    assert "algorithm versions 1 and 3" in fingerprint.compare(old, taken).reason
