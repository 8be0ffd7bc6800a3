"""A small CNN on digits with dropout and a 2-worker DataLoader: the PyTorch image's bundled example."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint import dataloader_kwargs
from mlfcore.entrypoint.examples import outputs, tracking


def build_model():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 2 * 2, 10),
    )


def train(output: Path, epochs: int = 3, batch_size: int = 64, workers: int = 2) -> list[dict]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    x_train, y_train, x_test, y_test = outputs.digits()
    train_set = TensorDataset(torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train))
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=workers,
                        persistent_workers=workers > 0, **dataloader_kwargs())
    # The GPU when one is visible (the cuda image under `docker run --gpus all`); the contract's CUBLAS and
    # deterministic-algorithm settings keep it bitwise reproducible on one GPU model.
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = build_model().to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()  # mlf: ignore[torch-cross-entropy-nd] -- (N, C) logits of a Linear
    history = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for images, labels in loader:
            optimiser.zero_grad()
            images, labels = images.to(device), labels.to(device)
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(labels)
        model.eval()
        with torch.no_grad():
            predicted = model(torch.from_numpy(x_test).unsqueeze(1).to(device)).argmax(1).cpu().numpy()
        history.append({"epoch": epoch, "loss": total / len(train_set),
                        "accuracy": float((predicted == y_test).mean())})
        tracking.log_epoch(history[-1])
    model.to("cpu")  # saved and logged from the CPU: the files and the logged model do not depend on the device
    outputs.prepare(output)
    outputs.save_tensors(output, ((name, t.detach().numpy()) for name, t in model.state_dict().items()))
    outputs.save_metrics(output, history)
    tracking.log_model("pytorch", model, x_test[:5, None], ("torch",))
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    for row in train(args.output, epochs=args.epochs, workers=args.workers):
        print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
