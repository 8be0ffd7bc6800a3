# Pattern from milesial/Pytorch-UNet@21d7850f2af30a9695bbeea75f3136aa538cfc4a predict.py:25-27 (the network's
# output moved to the CPU and resized with a bilinear interpolate inside torch.no_grad()).
import torch
import torch.nn.functional as F


def predict_mask(net, image, height, width):
    net.eval()
    with torch.no_grad():
        logits = net(image).cpu()
        logits = F.interpolate(logits, (height, width), mode="bilinear")
    return logits.argmax(dim=1)
