"""The opt-in U-Net example: seeded synthetic cells, never the default example, and `mlf verify` passes on it."""

import json

import numpy as np
import pytest

from mlfcore.entrypoint.frameworks.torch.examples import unet_segmentation
from mlfcore.entrypoint import frameworks
from mlfcore.entrypoint.train import project
from mlfcore.scaffold.golden import check

from ...conftest import mlf
from ...train.projects import environment


def test_the_synthetic_cells_are_drawn_from_the_seed_alone():
    images, masks = unet_segmentation.synthetic_cells(6, seed=3)
    again, _ = unet_segmentation.synthetic_cells(6, seed=3)
    other, _ = unet_segmentation.synthetic_cells(6, seed=4)
    assert images.tobytes() == again.tobytes() and images.tobytes() != other.tobytes()
    assert images.shape == masks.shape == (6, 1, unet_segmentation.SIZE, unet_segmentation.SIZE)
    assert set(np.unique(masks)) == {0.0, 1.0} and all(m.sum() > 0 for m in masks)
    # Cells are brighter than the background on average, but not separable by one threshold (the noise).
    assert images[masks == 1].mean() > images[masks == 0].mean() + 0.3
    assert images[masks == 1].min() < images[masks == 0].max()


def test_it_is_opt_in_so_the_torch_default_stays_pytorch_digits():
    assert frameworks.examples()["unet_segmentation"][1].opt_in
    if project.importlib.util.find_spec("torch") and not project.importlib.util.find_spec("tensorflow") \
            and not project.importlib.util.find_spec("xgboost"):
        assert project.default_example({}) == "pytorch_digits"
    assert project.default_example({"MLF_IMAGE_EXAMPLE": "unet_segmentation"}) == "unet_segmentation"


@pytest.mark.slow
def test_mlf_verify_passes_and_dice_and_loss_are_logged_per_epoch(tmp_path):
    # Small sizes keep it to a few seconds per run; the defaults (6 epochs, 192 images) are what a user runs.
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    result = mlf("verify", str(workspace), "-P", "epochs=2", "-P", "images=32", "--json",
                 env=environment(MLF_IMAGE_EXAMPLE="unet_segmentation"), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    run_ids = [r["run_id"] for r in summary["runs"]]
    for metric in ("loss", "dice"):
        assert [m.step for m in client.get_metric_history(run_ids[0], metric)] == [0, 1]
    tensors = sorted(p.name for p in workspace.rglob("tensors/*.npy"))
    assert "up1.weight.npy" in tensors  # the transposed convolution's weights are among the outputs
    # And its fingerprint is the golden value (docs/PROOF.md).
    outcome = check.of_run(workspace, run_ids[0], "unet_segmentation", "venv", params={"epochs": 2, "images": 32})
    assert outcome.matched, outcome.failure


@pytest.mark.slow
def test_a_stopped_unet_resumes_to_the_same_bits_and_mlf_bench_times_it(tmp_path):
    """The U-Net uses the step hook: `verify --resume-at` stops it mid-epoch and resumes it, and `mlf bench` (which
    refuses a training without the hook) times its steps in every mode."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = environment(MLF_IMAGE_EXAMPLE="unet_segmentation")
    small = ("-P", "epochs=2", "-P", "images=32")
    resumed = mlf("verify", str(workspace), *small, "--resume-at", "3", "--json", env=env, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    # The resumed run gives the golden value too (docs/PROOF.md).
    outcome = check.of_run(workspace, json.loads(resumed.stdout)["runs"][1]["run_id"], "unet_segmentation", "venv",
                           params={"epochs": 2, "images": 32}, mode="resume-at=3")
    assert outcome.matched, outcome.failure
    bench = mlf("bench", str(workspace), *small, "--steps", "3", "--repeats", "1", "--json", env=env, timeout=600)
    assert bench.returncode == 0, bench.stderr[-3000:]
    summary = json.loads(bench.stdout)
    assert set(summary["seconds_per_step"]) == {"deterministic", "deterministic, no fill", "default",
                                                "default, host threads"}
    assert all(value > 0 for value in summary["seconds_per_step"].values())
