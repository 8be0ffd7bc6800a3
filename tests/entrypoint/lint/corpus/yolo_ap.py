# Pattern from eriklindernoren/PyTorch-YOLOv3@1d621c8489e22c76ceb93bb2397ac6c8dfb5ceb7 pytorchyolo/utils/utils.py:
# 16-22 (seeding and cudnn.benchmark = False) and :138-139 (cumulative sums of NumPy true-positive arrays for AP).
import random

import numpy as np
import torch


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = False


def precision_recall(conf, labels):
    tp = np.asarray(labels, dtype=float)[np.argsort(-conf)]
    false_positives = (1 - tp).cumsum()
    true_positives = tp.cumsum()
    return true_positives / (true_positives + false_positives)
