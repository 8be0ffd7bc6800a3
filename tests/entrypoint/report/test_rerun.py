"""The commands a report gives to re-do a run (report/rerun.py): the image pinned by digest, GPUs only when the run
had some, a tracking server named, and the fresh `train` line `mlf reproduce` prints."""

from __future__ import annotations

from mlfcore.entrypoint.report.model import Run
from mlfcore.entrypoint.report.rerun import commands

RUN = "0123456789abcdef0123456789abcdef"
PARAMS = {"mlf.seed": "5", "mlf.threads": "2", "mlf.portable": "true", "mlf.allow_nondeterministic": "false",
          "mlf.param.epochs": "3"}


def _run(**tags: str) -> Run:
    return Run(RUN, "e", "FINISHED", None, None, tags, dict(PARAMS),
               {"params": {"parameters": {"epochs": "3"}, "entry_point": "main"}})


def test_a_run_in_an_image_is_reproduced_in_that_image_by_digest_with_its_gpus():
    image = "ghcr.io/lab/trainer:1.2@sha256:" + "ab" * 32
    found = commands(_run(**{"mlf.image": image, "mlf.gpu_count": "2"}), "sqlite:///p/mlflow.db", "0.1.0")
    assert found[0].line == f'docker run --rm --gpus all -v "$PWD":/workspace {image} reproduce {RUN}'
    assert "digest was not recorded" not in found[0].what
    assert found[-1].line == (f'docker run --rm --gpus all -v "$PWD":/workspace {image} train -P epochs=3 --seed 5 '
                              "--threads 2")


def test_an_image_without_a_digest_says_how_to_record_one():
    found = commands(_run(**{"mlf.image": "mlfcore/pytorch:0.1.0-torch2.13.0-cpu", "mlf.gpu_count": "0"}),
                     "http://tracker:5000", "0.1.0")
    assert found[0].line == ('docker run --rm -e MLFLOW_TRACKING_URI=http://tracker:5000 -v "$PWD":/workspace '
                             f"mlfcore/pytorch:0.1.0-torch2.13.0-cpu reproduce {RUN}")
    assert "pass -e MLF_IMAGE_DIGEST=sha256:" in found[0].what
    assert found[1].line == f"MLFLOW_TRACKING_URI=http://tracker:5000 mlf reproduce {RUN} --project ."


def test_a_run_outside_an_image_is_reproduced_with_mlf():
    found = commands(_run(), "sqlite:///p/mlflow.db", "0.1.0")
    assert [c.line for c in found] == [f"mlf reproduce {RUN} --project ."]
