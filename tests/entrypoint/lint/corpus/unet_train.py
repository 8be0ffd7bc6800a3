# Pattern from milesial/Pytorch-UNet@21d7850f2af30a9695bbeea75f3136aa538cfc4a train.py:81 (CrossEntropyLoss on the
# (N, C, H, W) logits of a segmentation network) and train.py:50 (random_split with a seeded generator).
import torch
import torch.nn as nn
from torch.utils.data import random_split


def train(model, dataset, images, masks):
    train_set, val_set = random_split(dataset, [90, 10], generator=torch.Generator().manual_seed(0))
    criterion = nn.CrossEntropyLoss()
    loss = criterion(model(images), masks)
    loss.backward()
    return train_set, val_set
