"""TensorFlow's nearest-neighbour resize in its spellings; Keras layers through tf.keras and keras."""

from __future__ import annotations

import pytest

from ...lint.conftest import rule_ids

TF = "import tensorflow as tf\n"


@pytest.mark.parametrize("call", [
    'tf.image.resize(img, (8, 8), method="nearest")',
    "tf.image.resize(img, (8, 8), tf.image.ResizeMethod.NEAREST_NEIGHBOR)",
    "tf.compat.v1.image.resize_nearest_neighbor(img, (8, 8))",
    "tf_keras.layers.UpSampling2D(size=(2, 2))",  # Keras 2
    'tf.keras.layers.Resizing(8, 8, interpolation="nearest")',
])
def test_nearest_resize_is_found(lint, call):
    assert "tf-resize-nearest" in rule_ids(lint(TF + "import tf_keras\n" + call + "\n"))


@pytest.mark.parametrize("call", [
    "tf.image.resize(img, (8, 8))",
    "tf.image.resize(img, (8, 8), method=tf.image.ResizeMethod.BILINEAR)",
    'tf.keras.layers.UpSampling2D(interpolation="bilinear")',
    "tf.keras.layers.Resizing(8, 8)",
    "tf.keras.layers.UpSampling1D(2)",
    "tf.keras.layers.UpSampling2D(size=(2, 2))",  # Keras 3 (installed): ops.repeat
])
def test_other_resizing_is_not(lint, call):
    assert "tf-resize-nearest" not in rule_ids(lint(TF + call + "\n"))


def test_tensorflow_rules_need_tensorflow(lint):
    assert rule_ids(lint("import mylib as tf\ntf.math.bincount(x)\n")) == []
