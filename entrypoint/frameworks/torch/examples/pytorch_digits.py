"""A small CNN on digits with dropout and a 2-worker DataLoader: the PyTorch image's bundled example.

Runs alone or under torchrun (`mlf run --nproc N`): DistributedDataParallel over gloo on CPU (NCCL on GPU), each
rank reading its part of the data through a seeded DistributedSampler. With MLF_CHECKPOINT_DIR set it resumes from
the checkpoint there and checkpoints when stopped (SIGTERM, MLF_STOP_AT_STEP) through the step hook; one step is
one optimizer step.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlfcore.entrypoint import checkpoint, run_settings
from mlfcore.entrypoint.examples import outputs, tracking
from mlfcore.entrypoint.frameworks.torch.data import dataloader_kwargs
from mlfcore.entrypoint.frameworks.torch.examples import logged
from mlfcore.entrypoint.frameworks.torch.resume import TorchResume
from mlfcore.entrypoint.frameworks.torch.steps import torch_agreement
from mlfcore.entrypoint.steps import Steps


def build_model():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 2 * 2, 10),
    )


def _distributed() -> tuple[int, int]:
    """Join torchrun's process group when launched by it (WORLD_SIZE > 1): gloo on CPU, NCCL on GPU."""
    import torch
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


def _device():
    """The GPU when torch sees one (under torchrun: this rank's local GPU), else the CPU."""
    import torch

    if not torch.cuda.is_available():
        return torch.device("cpu")
    index = int(os.environ.get("LOCAL_RANK", "0"))
    torch.cuda.set_device(index)
    return torch.device("cuda", index)


def _loader(train_set, seed: int, rank: int, world: int, batch_size: int, workers: int):
    from torch.utils.data import DataLoader, DistributedSampler

    # The permutation is a function of (seed, epoch) alone (DistributedSampler.set_epoch), the same on every rank;
    # rank r reads every world-th index of it.
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=seed)
    kwargs = dataloader_kwargs(seed)
    loader = DataLoader(train_set, batch_size=batch_size, sampler=sampler, num_workers=workers, **kwargs)
    partitioning = f"DistributedSampler(num_replicas={world}, shuffle=True, seed={seed}, drop_last=False)"
    return loader, sampler, kwargs["generator"], partitioning


def train(output: Path, epochs: int = 3, batch_size: int = 64, workers: int = 2,
          restore_rng: bool = True) -> list[dict]:
    import torch
    from torch.utils.data import TensorDataset

    rank, world = _distributed()
    seed = run_settings.seed()
    x_train, y_train, x_test, y_test = outputs.digits()
    train_set = TensorDataset(torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train))
    loader, sampler, generator, partitioning = _loader(train_set, seed, rank, world, batch_size, workers)
    # The GPU when one is visible (the cuda image under `docker run --gpus all`; under torchrun each rank takes its
    # local one); the contract's CUBLAS and deterministic-algorithm settings keep it bitwise reproducible on one GPU
    # model.
    device = _device()
    model = build_model().to(device)
    net = (torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.index is not None
                                                     else None) if world > 1 else model)
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()  # mlf: ignore[torch-cross-entropy-nd] -- (N, C) logits of a Linear
    resume = TorchResume(checkpoint.folder_from_environment(), model=net, optimizer=optimiser,
                         loader_generator=generator, partitioning=partitioning, restore_rng=restore_rng)
    start = resume.restore()
    steps = Steps(save=resume.save, agree=torch_agreement()).start(start)
    history = list(resume.extra.get("history", []))
    first_epoch, skip = resume.position if start else (0, 0)
    for epoch in range(first_epoch, epochs):
        resume.begin_epoch(epoch)
        sampler.set_epoch(epoch)
        net.train()
        total = resume.extra.get("total", 0.0) if skip else 0.0
        for batch, (images, labels) in enumerate(loader):
            if batch < skip:
                continue  # done before the checkpoint: the same batches, drawn again, skipped
            optimiser.zero_grad()
            images, labels = images.to(device), labels.to(device)
            loss = loss_fn(net(images), labels)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(labels)
            resume.position, resume.extra = (epoch, batch + 1), {"history": history, "total": total}
            steps.done()
        skip = 0
        steps.boundary()  # a signal after the epoch's last step: its checkpoint comes before the evaluation
        model.eval()
        with torch.no_grad():
            predicted = model(torch.from_numpy(x_test).unsqueeze(1).to(device)).argmax(1).cpu().numpy()
        history.append({"epoch": epoch, "loss": total / len(sampler),
                        "accuracy": float((predicted == y_test).mean())})
        if rank == 0:
            tracking.log_epoch(history[-1])
    steps.close()
    model.to("cpu")  # saved and logged from the CPU: the files and the logged model do not depend on the device
    if rank == 0:
        outputs.prepare(output)
        outputs.save_tensors(output, ((name, t.detach().numpy()) for name, t in model.state_dict().items()))
        outputs.save_metrics(output, history)
        outputs.save_event_files(output, history)
        tracking.log_model("pytorch", model, x_test[:5, None], ("torch",), predict=logged.predict(model),
                           options=logged.OPTIONS)
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-restore-rng", action="store_true",
                        help="resume without restoring the random streams (shows that they matter: the bits differ)")
    args = parser.parse_args(argv)
    history = outputs.train_or_exit(train, output=args.output, epochs=args.epochs, workers=args.workers,
                                    restore_rng=not args.no_restore_rng)
    if os.environ.get("RANK", "0") == "0":
        for row in history:
            print(f"epoch {row['epoch']}: loss {row['loss']:.4f} accuracy {row['accuracy']:.4f}", flush=True)


if __name__ == "__main__":
    main()
