# Pattern from milesial/Pytorch-UNet@21d7850f2af30a9695bbeea75f3136aa538cfc4a unet/unet_parts.py:50 (an Up block
# that upsamples with a bilinear nn.Upsample). Written for this corpus, not copied.
import torch.nn as nn


class Up(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
        self.conv = nn.Conv2d(channels, channels // 2, kernel_size=3, padding=1)
