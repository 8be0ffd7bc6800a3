"""Names resolve through imports and aliases; other libraries' same names are never findings."""

from __future__ import annotations

import pytest

from .conftest import rule_ids


@pytest.mark.parametrize("source", [
    "import torch as T\nT.bincount(x, w)",
    "from torch import bincount as count\ncount(x, weights=w)",
    "from torch import bincount\nbincount(x, w)",
    "import torch.nn.functional\ntorch.nn.functional.interpolate(x, mode='bicubic')",
    "from torch.nn import functional as F\nF.interpolate(x, size=4, mode='bicubic')",
    "import torch.nn.functional as F\nF.interpolate(x, 4, None, 'trilinear')",
    "import torch.nn as nn\nnn.Upsample(scale_factor=2, mode='bilinear')",
    "from torch.nn import Upsample as Up\nUp(scale_factor=2, mode='linear')",
    "import torch\nF = torch.nn.functional\nF.interpolate(x, mode='bilinear')",
    "def f(x):\n    import torch.nn.functional as F\n    return F.interpolate(x, mode='bilinear')",
    "def f(x):\n    return F.interpolate(x, mode='bilinear')\nimport torch.nn.functional as F",
    "from torch import *\nbincount(x, w)",
    "from torch.nn.functional import *\ninterpolate(x, mode='bilinear')",
])
def test_aliases_and_from_imports_resolve(lint, source):
    found = rule_ids(lint(source + "\n"))
    assert {"torch-bincount", "torch-interpolate", "torch-interpolate-decomposed"} & set(found), found


@pytest.mark.parametrize("source", [
    "import numpy as np\nnp.bincount(x, weights=w)",
    "import numpy as np\nimport torch\nnp.bincount(x, weights=w)\nnp.median(x, 0)\nnp.cumsum(x)",
    "from numpy import bincount\nbincount(x, w)",
    "import scipy.interpolate\nscipy.interpolate.interp1d(x, y, kind='linear')",
    "from scipy import interpolate\ninterpolate.griddata(p, v, xi, method='linear')",
    "from scipy.ndimage import median_filter\nmedian_filter(x, 3)",
    "import pandas as pd\npd.Series(x).median()",
    "import torch\nimport statistics\nstatistics.median([1, 2])",
    "def bincount(x, w):\n    return x\nbincount(x, w)",
    "from numpy import *\nbincount(x, w)",
    "import tensorflow as tf\nimport numpy as np\nnp.bincount(x)",
])
def test_other_libraries_same_names_are_not_findings(lint, source):
    assert [r for r in rule_ids(lint(source + "\n")) if not r.startswith("file-")] == []


@pytest.mark.parametrize("call, rule", [
    ("x.histc(bins=4)", "torch-histc"),
    ("x.put_(i, v)", "torch-put"),
    ("x.median(0)", "torch-median-indices"),
    ("x.median(dim=1)", "torch-median-indices"),
    ("self.weights.bincount(w)", "torch-bincount"),
    ("model(x).cumsum(-1)", "torch-cumsum"),
])
def test_tensor_methods_count_in_modules_that_use_torch(lint, call, rule):
    assert rule in rule_ids(lint("import torch\n" + call + "\n"))
    assert rule in rule_ids(lint("from torch import nn\n" + call + "\n"))
    assert rule not in rule_ids(lint("import numpy as np\n" + call + "\n"))


def test_a_rebound_alias_no_longer_resolves(lint):
    source = "import torch.nn.functional as F\nF = make_functions()\nF.interpolate(x, mode='bicubic')\n"
    assert "torch-interpolate" not in rule_ids(lint(source))


def test_relative_imports_are_the_projects_own_modules(lint):
    source = "import torch\nfrom .torch import bincount\nbincount(x, w)\n"
    assert "torch-bincount" not in rule_ids(lint(source))


def test_keras_through_tensorflow_and_standalone(lint):
    # The installed Keras is 3.x: its UpSampling2D repeats rows and columns (deterministic), so only an explicit
    # resize is a finding there; tf_keras (Keras 2) still resizes with the nearest-neighbour op.
    for prelude in ("import tensorflow as tf\nL = tf.keras.layers\n", "import keras\nL = keras.layers\n",
                    "from tensorflow.keras import layers as L\n", "from keras import layers as L\n"):
        assert "tf-resize-nearest" not in rule_ids(lint(prelude + "L.UpSampling2D()\n")), prelude
        assert "tf-resize-nearest" in rule_ids(lint(prelude + "L.Resizing(8, 8, interpolation='nearest')\n"))
    assert "tf-resize-nearest" in rule_ids(lint("import tf_keras\ntf_keras.layers.UpSampling2D()\n"))


@pytest.mark.parametrize("call, rule", [
    ("tf.compat.v1.image.resize_images(x, (8, 8), method=1)", "tf-resize-nearest"),
    ("tf.compat.v1.image.resize_images(x, (8, 8), tf.image.ResizeMethod.NEAREST_NEIGHBOR)", "tf-resize-nearest"),
    ("tf.compat.v1.math.bincount(x)", "tf-bincount"),
    ("tf.compat.v1.image.adjust_contrast(x, 2.0)", "tf-adjust-contrast"),
    ("tf.compat.v1.Session()", "tf-session"),
])
def test_tf1_spellings_have_the_level_of_their_tf2_op(lint, call, rule):
    assert rule in rule_ids(lint("import tensorflow as tf\n" + call + "\n"))
    assert rule_ids(lint("import tensorflow as tf\ntf.compat.v1.image.resize_images(x, (8, 8))\n")) == []


def test_argument_that_is_not_a_literal_is_a_warning_that_says_so(lint):
    report = lint("import torch.nn.functional as F\nF.interpolate(x, mode=mode)\n")
    [finding] = report.findings
    assert finding.rule == "torch-interpolate" and finding.severity == "warning"
    assert "`mode` is not a literal" in finding.message


def test_keyword_and_positional_forms_of_the_same_argument(lint):
    for call in ("torch.bincount(x, w)", "torch.bincount(x, weights=w)", "torch.bincount(input=x, weights=w)",
                 "x.bincount(w)", "x.bincount(weights=w)"):
        assert "torch-bincount" in rule_ids(lint("import torch\n" + call + "\n")), call
    for call in ("torch.bincount(x)", "torch.bincount(x, None)", "torch.bincount(x, weights=None)",
                 "torch.bincount(x, minlength=3)", "x.bincount()"):
        assert "torch-bincount" not in rule_ids(lint("import torch\n" + call + "\n")), call
