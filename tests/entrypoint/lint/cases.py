"""One positive and one negative snippet per linted rule. test_rules.py runs them all and fails when a rule
with matches has no case here, so a new rule cannot land untested."""

from __future__ import annotations

TORCH = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
TF = "import tensorflow as tf\nfrom tensorflow import keras\n"
XGB = "import xgboost as xgb\n"
OS = "import os\n"

# rule id → (prelude, positive statement, negative statement)
CASES: dict[str, tuple[str, str, str]] = {
    # torch: raises under use_deterministic_algorithms(True)
    "torch-avg-pool3d": (TORCH, "nn.AvgPool3d(2)", "nn.AvgPool2d(2)"),
    "torch-adaptive-avg-pool": (TORCH, "F.adaptive_avg_pool2d(x, 1)", "F.avg_pool2d(x, 2)"),
    "torch-adaptive-max-pool2d": (TORCH, "nn.AdaptiveMaxPool2d(1)", "nn.AdaptiveMaxPool1d(1)"),
    "torch-fractional-max-pool": (TORCH, "nn.FractionalMaxPool2d(3, output_size=4)", "nn.MaxPool2d(3)"),
    "torch-max-unpool": (TORCH, "F.max_unpool2d(x, i, 2)", "F.max_pool2d(x, 2)"),
    "torch-interpolate": (TORCH, 'F.interpolate(x, scale_factor=2, mode="bilinear")',
                          "F.interpolate(x, scale_factor=2)"),
    "torch-reflection-pad": (TORCH, 'F.pad(x, (1, 1), mode="reflect")', "F.pad(x, (1, 1))"),
    "torch-nll-loss": (TORCH, "nn.NLLLoss()", "nn.MSELoss()"),
    "torch-ctc-loss": (TORCH, "F.ctc_loss(lp, t, il, tl)", "F.l1_loss(a, b)"),
    "torch-embedding-bag-max": (TORCH, 'nn.EmbeddingBag(10, 3, mode="max")', "nn.EmbeddingBag(10, 3)"),
    "torch-put": (TORCH, "x.put_(i, v)", "x.put_(i, v, accumulate=True)"),
    "torch-put-accumulate": (TORCH, "x.put_(i, v, True)", "x.put_(i, v)"),
    "torch-histc": (TORCH, "torch.histc(x, bins=4)", "torch.histogram(x, bins=4)"),
    "torch-bincount": (TORCH, "torch.bincount(x, w)", "torch.bincount(x)"),
    "torch-median-indices": (TORCH, "x.median(0)", "x.median()"),
    "torch-grid-sample": (TORCH, "F.grid_sample(x, g)", "F.affine_grid(t, size)"),
    "torch-cumsum": (TORCH, "torch.cumsum(x, 0)", "torch.cumsum(x, 0, dtype=torch.int64)"),
    "torch-scatter-reduce-prod": (TORCH, 'x.scatter_reduce(0, i, s, "prod")', 'x.scatter_reduce(0, i, s, "amax")'),
    # torch: deterministic implementation under the contract (info)
    "torch-conv": (TORCH, "nn.Conv2d(1, 2, 3)", "nn.Linear(1, 2)"),
    "torch-replication-pad": (TORCH, 'F.pad(x, (1, 1), mode="replicate")', 'F.pad(x, (1, 1), mode="circular")'),
    "torch-bmm": (TORCH, "torch.bmm(a, b)", "torch.mm(a, b)"),
    "torch-index-put": (TORCH, "x.index_put_((i,), v)", "x.index_fill_(0, i, 1)"),
    "torch-scatter-add": (TORCH, "x.scatter_add_(0, i, s)", "x.scatter_(0, i, s)"),
    "torch-gather": (TORCH, "torch.gather(x, 1, i)", "torch.take(x, i)"),
    "torch-index-add": (TORCH, "x.index_add_(0, i, s)", "x.index_fill_(0, i, 1)"),
    "torch-index-select": (TORCH, "torch.index_select(x, 0, i)", "torch.masked_select(x, m)"),
    "torch-repeat-interleave": (TORCH, "x.repeat_interleave(2)", "x.repeat(2)"),
    "torch-index-copy": (TORCH, "x.index_copy_(0, i, s)", "x.copy_(s)"),
    "torch-scatter": (TORCH, "x.scatter_(0, i, s)", "x.scatter_add_(0, i, s)"),
    "torch-scatter-reduce-sum": (TORCH, 'x.scatter_reduce(0, i, s, reduce="sum")',
                                 'x.scatter_reduce(0, i, s, reduce="prod")'),
    "torch-max-pool3d": (TORCH, "nn.MaxPool3d(2)", "nn.MaxPool2d(2)"),
    # contract breakers
    "contract-cudnn-benchmark": (TORCH, "torch.backends.cudnn.benchmark = True",
                                 "torch.backends.cudnn.benchmark = False"),
    "contract-cudnn-deterministic": (TORCH, "torch.backends.cudnn.deterministic = False",
                                     "torch.backends.cudnn.deterministic = True"),
    "contract-deterministic-algorithms-off": (TORCH, "torch.use_deterministic_algorithms(False)",
                                              "torch.use_deterministic_algorithms(True)"),
    "contract-deterministic-warn-only": (TORCH, "torch.use_deterministic_algorithms(True, warn_only=True)",
                                         "torch.use_deterministic_algorithms(True, warn_only=False)"),
    "contract-debug-mode": (TORCH, 'torch.set_deterministic_debug_mode("default")',
                            'torch.set_deterministic_debug_mode("error")'),
    "contract-tf-disable-determinism": (TF, "tf.config.experimental.disable_op_determinism()",
                                        "tf.config.experimental.enable_op_determinism()"),
    "contract-pythonhashseed": (OS, 'os.environ["PYTHONHASHSEED"] = "0"', 'os.environ["CUDA_VISIBLE_DEVICES"] = "0"'),
    "contract-dataloader-workers": (TORCH + "from torch.utils.data import DataLoader\n",
                                    "DataLoader(ds, batch_size=8, num_workers=2)",
                                    "DataLoader(ds, num_workers=2, generator=g)"),
    # TensorFlow
    "tf-bincount": (TF, "tf.math.bincount(x)", "tf.math.reduce_sum(x)"),
    "tf-crop-and-resize": (TF, "tf.image.crop_and_resize(img, boxes, idx, (8, 8))",
                           "tf.image.crop_to_bounding_box(img, 0, 0, 8, 8)"),
    "tf-adjust-contrast": (TF, "tf.image.adjust_contrast(img, 2.0)", "tf.image.adjust_brightness(img, 0.1)"),
    "tf-sparse-dense-matmul": (TF, "tf.sparse.sparse_dense_matmul(sp, d)", "tf.linalg.matmul(a, b)"),
    "tf-resize-nearest": (TF, "keras.layers.UpSampling2D(size=2)",
                          'keras.layers.UpSampling2D(size=2, interpolation="bilinear")'),
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
    # XGBoost
    "xgb-gblinear-shotgun": (XGB, 'xgb.XGBRegressor(booster="gblinear")',
                             'xgb.XGBRegressor(booster="gblinear", updater="coord_descent")'),
    "xgb-shotgun": (XGB, 'xgb.XGBClassifier(updater="shotgun")', 'xgb.XGBClassifier(updater="coord_descent")'),
}
