"""TensorFlow's rules (its table and its contract breaker): one positive and one negative snippet each, which tests/entrypoint/lint/test_rules.py runs
with every other framework's (a linted rule without a case fails there)."""

from __future__ import annotations

TF = "import tensorflow as tf\nfrom tensorflow import keras\n"

# rule id → (prelude, positive statement, negative statement)
CASES: dict[str, tuple[str, str, str]] = {
    "contract-tf-disable-determinism": (TF, "tf.config.experimental.disable_op_determinism()",
                                        "tf.config.experimental.enable_op_determinism()"),
    "tf-bincount": (TF, "tf.math.bincount(x)", "tf.math.reduce_sum(x)"),
    "tf-crop-and-resize": (TF, "tf.image.crop_and_resize(img, boxes, idx, (8, 8))",
                           "tf.image.crop_to_bounding_box(img, 0, 0, 8, 8)"),
    "tf-adjust-contrast": (TF, "tf.image.adjust_contrast(img, 2.0)", "tf.image.adjust_brightness(img, 0.1)"),
    "tf-sparse-dense-matmul": (TF, "tf.sparse.sparse_dense_matmul(sp, d)", "tf.linalg.matmul(a, b)"),
    "tf-resize-nearest": (TF, 'tf.image.resize(x, (8, 8), method="nearest")', "tf.image.resize(x, (8, 8))"),
    "tf-dilation2d": (TF, 'tf.nn.dilation2d(x, f, (1, 1, 1, 1), "SAME", "NHWC", (1, 1, 1, 1))',
                      'tf.nn.conv2d(x, f, 1, "SAME")'),
    "tf-max-pool-with-argmax": (TF, 'tf.nn.max_pool_with_argmax(x, 2, 2, "SAME")',
                                'tf.nn.max_pool2d(x, 2, 2, "SAME")'),
    "tf-fake-quant-gradient": (TF, "tf.quantization.fake_quant_with_min_max_vars(x, lo, hi)",
                               "tf.quantization.fake_quant_with_min_max_args(x)"),
    "tf-timestamp": (TF, "tf.timestamp()", "tf.identity(x)"),
    "tf-unseeded-bounding-box": (TF, "tf.image.sample_distorted_bounding_box(size, boxes)",
                                 "tf.image.sample_distorted_bounding_box(size, boxes, seed=7)"),
    "tf-unseeded-fractional-max-pool": (TF, "tf.nn.fractional_max_pool(x, [1.0, 1.4, 1.4, 1.0])",
                                        "tf.nn.fractional_max_pool(x, [1.0, 1.4, 1.4, 1.0], seed=3)"),
    "tf-session": (TF, "tf.compat.v1.Session()", "tf.function(f)"),
    "tf-parameter-server": (TF, "tf.distribute.experimental.ParameterServerStrategy(resolver)",
                            "tf.distribute.MirroredStrategy()"),
}
