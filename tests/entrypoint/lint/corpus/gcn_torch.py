# Pattern from tkipf/pygcn@1600b5b748b3976413d1e307540ccc62605b4d6d pygcn/train.py:67 (nll_loss on the masked
# (N, C) log-softmax output of a graph convolutional network).
import torch.nn.functional as F


def train_step(model, optimizer, features, adj, labels, idx_train):
    optimizer.zero_grad()
    output = model(features, adj)
    loss_train = F.nll_loss(output[idx_train], labels[idx_train])
    loss_train.backward()
    optimizer.step()
    return loss_train
