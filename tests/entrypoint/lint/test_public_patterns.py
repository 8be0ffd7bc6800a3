"""Patterns of public training code the kinds of project our users train with, each reproduced by a fixture of our
own (no code copied) and judged line by line: an nnU-Net-style trainer, a timm training script, a MONAI tutorial
and an accelerate example. Where each pattern was found is cited as repository@commit, path:line.

The must-flag lines must give exactly the finding and level the tables give; the must-not-error lines must give no
error (an info that says what the contract already does is allowed, and asserted where it is expected)."""

from __future__ import annotations

NNUNET = "MIC-DKFZ/nnUNet@0e495086eb10"
TIMM = "huggingface/pytorch-image-models@aa4b5850c154"
MONAI_TUTORIALS = "Project-MONAI/tutorials@b3c6c998c931"
ACCELERATE = "huggingface/accelerate@16cb6eb80dd9"


def found(report) -> list[tuple[int, str, str]]:
    return sorted((f.line, f.rule, f.severity) for f in report.findings)


def test_an_nnunet_style_trainer(lint):
    # The loss: a CrossEntropyLoss subclass that drops the target's channel axis and calls super().forward on N-D
    # logits (NNUNET nnunetv2/training/loss/robust_ce_loss.py:6 and :16): nll_loss2d, which alerts on CUDA.
    # The loaders: NonDetMultiThreadedAugmenter with seeds=None and a worker count from a variable
    # (nnunetv2/training/nnUNetTrainer/nnUNetTrainer.py:724-730): batches in completion order.
    # The cuDNN switches: deterministic = False and benchmark = True (nnunetv2/run/run_training_from_pretrained.py
    # :223-224): the first changes nothing under the contract, the second picks algorithms by timing.
    report = lint("""\
        import torch
        from torch import nn
        from torch.backends import cudnn
        from batchgenerators.dataloading.nondet_multi_threaded_augmenter import NonDetMultiThreadedAugmenter


        class ChannelDroppingCE(nn.CrossEntropyLoss):
            def forward(self, logits, labels):
                if labels.ndim == logits.ndim:
                    labels = labels[:, 0]
                return super().forward(logits, labels.long())


        def loaders(train_loader, workers):
            return NonDetMultiThreadedAugmenter(data_loader=train_loader, transform=None, num_processes=workers,
                                                num_cached=6, seeds=None, pin_memory=True)


        def setup():
            cudnn.deterministic = False
            cudnn.benchmark = True
        """)
    assert found(report) == [(11, "torch-cross-entropy-nd", "warning"),
                             (15, "lib-batchgenerators-nondet", "warning"),  # the worker count is not a literal
                             (20, "contract-cudnn-deterministic", "info"),
                             (21, "contract-cudnn-benchmark", "error")]
    # On a CPU host the cuDNN switches and the CUDA-only loss alert do nothing: info; the loader's order stays.
    assert found(report.for_device("cpu")) == [(11, "torch-cross-entropy-nd", "info"),
                                               (15, "lib-batchgenerators-nondet", "warning"),
                                               (20, "contract-cudnn-deterministic", "info"),
                                               (21, "contract-cudnn-benchmark", "info")]


def test_a_timm_training_script(lint):
    # create_loader with the worker count from the arguments (TIMM train.py:805): workers seeded from torch's default
    # generator, which the contract seeds: an info, never an error.
    report = lint("""\
        from timm.data import create_loader


        def make(dataset, cfg):
            return create_loader(dataset, input_size=(3, 224, 224), batch_size=cfg.batch_size, is_training=True,
                                 num_workers=cfg.workers)
        """)
    assert found(report) == [(5, "lib-timm-create-loader", "info")]


def test_a_monai_tutorial(lint):
    # set_determinism with a seed (MONAI_TUTORIALS 3d_segmentation/challenge_baseline/run_net.py:292) is no finding;
    # a shuffling DataLoader with workers (2d_segmentation/torch/unet_training_array.py:80) is deterministic under
    # the contract (an info says why); set_determinism() without a seed seeds from the clock: an error.
    report = lint("""\
        import monai
        from torch.utils.data import DataLoader


        def main(train_ds):
            monai.utils.set_determinism(seed=0)
            return DataLoader(train_ds, batch_size=4, shuffle=True, num_workers=8)


        def careless():
            monai.utils.set_determinism(seed=None)
        """)
    assert found(report) == [(7, "contract-dataloader-workers", "info"), (11, "lib-monai-unseeded", "error")]


def test_an_accelerate_example(lint):
    # set_seed of the configured seed and a shuffling DataLoader without workers (ACCELERATE examples/nlp_example.py
    # :130 and :100): nothing to report. A seed taken from the clock is an error.
    report = lint("""\
        import time
        from accelerate.utils import set_seed
        from torch.utils.data import DataLoader


        def training_function(config, train_set, collate):
            set_seed(int(config["seed"]))
            return DataLoader(train_set, shuffle=True, collate_fn=collate, batch_size=16, drop_last=True)


        def careless():
            set_seed(int(time.time()))
        """)
    assert [(line, severity) for line, _, severity in found(report)] == [(12, "error")]
