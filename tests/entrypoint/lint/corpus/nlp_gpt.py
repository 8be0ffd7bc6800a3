# Pattern from karpathy/nanoGPT@3adf61e154c3fe3fca428ad6bc3818b27a3b8291 train.py:107-108 (TF32 switched on for
# matmuls and cuDNN), train.py:208 (torch.compile in its default mode) and model.py:187 (cross_entropy on logits
# flattened to (N, C)).
import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True


def loss_of(logits, targets):
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)


def compiled(model):
    return torch.compile(model)
