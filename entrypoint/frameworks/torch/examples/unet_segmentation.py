"""A small 2-D U-Net that segments synthetic cells: the kind of model the mlf-core paper made deterministic.

Opt-in (`MLF_IMAGE_EXAMPLE=unet_segmentation`, or `mlf train -P ...` on a project naming it); the PyTorch image's
default example stays pytorch_digits. Nothing is downloaded: the images are drawn from a seeded NumPy generator —
bright elliptical "cells" of random size on a dim, noisy, unevenly lit background — with their masks.

Deterministic by design, not only by the contract's switches:
- upsampling by transposed convolutions and downsampling by strided convolutions: `F.interpolate`'s bilinear
  backward and max-pooling's backward on CUDA scatter gradients with atomic adds (torch's
  `use_deterministic_algorithms` documentation lists upsample_bilinear2d_backward among the non-deterministic
  CUDA ops);
- the loss is binary cross-entropy on logits plus a soft Dice term, element-wise operations and full reductions:
  nothing goes through `nll_loss2d`, whose CUDA forward is in that same list.

It trains on the GPU when torch sees one (the choices above are about CUDA kernels) and saves from the CPU.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import checkpoint
from mlfcore.entrypoint.examples import outputs, tracking
from mlfcore.entrypoint.frameworks.torch.data import dataloader_kwargs
from mlfcore.entrypoint.frameworks.torch.examples import logged
from mlfcore.entrypoint.frameworks.torch.resume import TorchResume
from mlfcore.entrypoint.steps import Steps

SIZE = 32  # pixels a side: ~10 s of training on 2 cores at the defaults below


def synthetic_cells(count: int, seed: int, size: int = SIZE):
    """`count` images (float32, N×1×size×size, in [0, 1]) and their masks (1 inside a cell), from `seed` alone."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    images = np.empty((count, 1, size, size), np.float32)
    masks = np.zeros((count, 1, size, size), np.float32)
    for index in range(count):
        mask = np.zeros((size, size), bool)
        for _ in range(rng.integers(1, 5)):
            cy, cx = rng.uniform(4, size - 4, 2)
            ry, rx = rng.uniform(2.5, 6.0, 2)
            mask |= ((rows - cy) / ry) ** 2 + ((cols - cx) / rx) ** 2 <= 1.0
        light = 0.15 + 0.1 * (rows / size) * rng.uniform(-1, 1)  # uneven illumination: a threshold is not enough
        image = light + 0.5 * mask + rng.normal(0.0, 0.12, (size, size))
        images[index, 0] = np.clip(image, 0.0, 1.0)
        masks[index, 0] = mask
    return images, masks


def build_model(width: int = 8):
    """Two levels down, two up, skip connections by concatenation."""
    import torch
    from torch import nn

    def block(inputs: int, outputs_: int):
        return nn.Sequential(nn.Conv2d(inputs, outputs_, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(outputs_, outputs_, 3, padding=1), nn.ReLU())

    class UNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc1, self.enc2 = block(1, width), block(width, 2 * width)
            self.down1 = nn.Conv2d(width, width, 2, stride=2)
            self.down2 = nn.Conv2d(2 * width, 2 * width, 2, stride=2)
            self.bottom = block(2 * width, 4 * width)
            self.up2 = nn.ConvTranspose2d(4 * width, 2 * width, 2, stride=2)
            self.dec2 = block(4 * width, 2 * width)
            self.up1 = nn.ConvTranspose2d(2 * width, width, 2, stride=2)
            self.dec1 = block(2 * width, width)
            self.head = nn.Conv2d(width, 1, 1)

        def forward(self, x):
            skip1 = self.enc1(x)
            skip2 = self.enc2(self.down1(skip1))
            x = self.bottom(self.down2(skip2))
            x = self.dec2(torch.cat([self.up2(x), skip2], 1))
            x = self.dec1(torch.cat([self.up1(x), skip1], 1))
            return self.head(x)

    return UNet()


def dice(probabilities, masks, smooth: float = 1.0):
    """Dice per image, averaged (soft when given probabilities): full reductions only."""
    overlap = (probabilities * masks).sum(dim=(1, 2, 3))
    total = probabilities.sum(dim=(1, 2, 3)) + masks.sum(dim=(1, 2, 3))
    return ((2 * overlap + smooth) / (total + smooth)).mean()


def train(output: Path, epochs: int = 6, images: int = 192, batch_size: int = 16, seed: int = 0,
          restore_rng: bool = True) -> list[dict]:
    """Train; one optimizer step is one step of the step hook (steps.py), so `mlf bench` times it and a run stopped
    by SIGTERM or MLF_STOP_AT_STEP resumes from its checkpoint (MLF_CHECKPOINT_DIR) to the same bits."""
    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    x_train, y_train = synthetic_cells(images, seed)
    x_test, y_test = synthetic_cells(max(images // 4, 8), seed + 1)
    train_set = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    kwargs = dataloader_kwargs()
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=0, **kwargs)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = build_model().to(device)  # before the optimiser and the resume: their state lives beside the weights
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    resume = TorchResume(checkpoint.folder_from_environment(), model=model, optimizer=optimiser,
                         loader_generator=kwargs["generator"], partitioning="one process, shuffled by the loader",
                         restore_rng=restore_rng)
    start = resume.restore()
    steps = Steps(save=resume.save).start(start)
    history = list(resume.extra.get("history", []))
    first_epoch, skip = resume.position if start else (0, 0)
    for epoch in range(first_epoch, epochs):
        resume.begin_epoch(epoch)
        model.train()
        total = resume.extra.get("total", 0.0) if skip else 0.0
        for index, (batch, masks) in enumerate(loader):
            if index < skip:
                continue  # done before the checkpoint: the same batches, drawn again, skipped
            optimiser.zero_grad()
            batch, masks = batch.to(device), masks.to(device)
            logits = model(batch)
            loss = F.binary_cross_entropy_with_logits(logits, masks) + (1 - dice(torch.sigmoid(logits), masks))
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
            resume.position, resume.extra = (epoch, index + 1), {"history": history, "total": total}
            steps.done()
        skip = 0
        steps.boundary()  # a signal after the epoch's last step: its checkpoint comes before the evaluation
        model.eval()
        with torch.no_grad():
            predicted = (model(torch.from_numpy(x_test).to(device)) > 0).float()  # thresholded: what a user reads
            score = dice(predicted, torch.from_numpy(y_test).to(device), smooth=1e-6).item()
        history.append({"epoch": epoch, "loss": total / len(train_set), "dice": score})
        tracking.log_epoch(history[-1])
    steps.close()
    model.to("cpu")  # saved and logged from the CPU: the files and the logged model do not depend on the device
    outputs.prepare(output)
    outputs.save_tensors(output, ((name, t.detach().numpy()) for name, t in model.state_dict().items()))
    outputs.save_metrics(output, history)
    outputs.save_event_files(output, history)
    tracking.log_model("pytorch", model, x_test[:5], ("torch",), predict=logged.predict(model),
                       options=logged.OPTIONS)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--images", type=int, default=192)
    parser.add_argument("--no-restore-rng", action="store_true",
                        help="resume without restoring the random streams (shows that they matter: the bits differ)")
    args = parser.parse_args(argv)
    history = outputs.train_or_exit(train, output=args.output, epochs=args.epochs, images=args.images,
                                    restore_rng=not args.no_restore_rng)
    for row in history:
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} dice {row['dice']:.4f}", flush=True)


if __name__ == "__main__":
    main()
