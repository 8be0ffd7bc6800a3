# Pattern from SeanNaren/deepspeech.pytorch@b88a631ef6b96553e16bbaa5bd6a621435bed278 deepspeech_pytorch/model.py:203
# (CTCLoss built in the model and used in training_step) and loader/data_loader.py:224 (utterances collected with an
# unsorted Path.rglob).
from pathlib import Path

import torch.nn as nn
from torch.nn import CTCLoss


class Speech(nn.Module):
    def __init__(self, labels: str):
        super().__init__()
        self.criterion = CTCLoss(blank=labels.index("_"), reduction="sum", zero_infinity=True)

    def training_step(self, out, targets, output_sizes, target_sizes):
        return self.criterion(out, targets, output_sizes, target_sizes)


def utterances(folder: str):
    found = []
    for wav in Path(folder).rglob("*.wav"):
        found.append((wav, str(wav).replace(".wav", ".txt")))
    return found
