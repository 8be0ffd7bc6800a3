"""Train the model: `python -m golden_pytorch.train --output DIR --epochs N` (MLproject's entry point)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import apply_contract, dataloader_kwargs

from . import data, model, outputs


def train(output: Path, epochs: int = 2, batch_size: int = 64, workers: int = 2) -> list[dict]:
    # Seeds, deterministic algorithms and thread counts, before torch builds anything (idempotent under `mlf`).
    apply_contract()
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    from torch.utils.tensorboard import SummaryWriter

    x_train, y_train, x_test, y_test = data.load()
    train_set = TensorDataset(torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train))
    # A seeded generator and worker init function make shuffling and the workers' random state reproducible.
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=workers,
                        persistent_workers=workers > 0, **dataloader_kwargs())
    net = model.build()
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()  # mlf: ignore[torch-cross-entropy-nd] -- (N, C) logits of a Linear layer
    # TensorBoard's event files in the output folder: mlf fingerprints their records (tag, step, value), not the
    # wall-clock times they also hold, and `mlf tensorboard` opens them.
    writer = SummaryWriter(str(output / "tensorboard"))
    history = []
    for epoch in range(epochs):
        net.train()
        total = 0.0
        for images, labels in loader:
            optimiser.zero_grad()
            loss = loss_fn(net(images), labels)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(labels)
        net.eval()
        with torch.no_grad():
            predicted = net(torch.from_numpy(x_test).unsqueeze(1)).argmax(1).numpy()
        history.append({"epoch": epoch, "loss": total / len(train_set),
                        "accuracy": float((predicted == y_test).mean())})
        outputs.log_epoch(history[-1])
        writer.add_scalar("loss", history[-1]["loss"], epoch)
        writer.add_scalar("accuracy", history[-1]["accuracy"], epoch)
    writer.close()
    outputs.save_tensors(output, ((name, t.detach().numpy()) for name, t in net.state_dict().items()))
    outputs.save_metrics(output, history)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    for row in train(args.output, epochs=args.epochs):
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
