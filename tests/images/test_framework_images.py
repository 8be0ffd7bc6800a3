"""The framework images' promises: the pinned framework, and the same bits from the bundled example every time,
with one CPU or two. Runs for every image whose parent chain holds a framework image (images.toml)."""

from __future__ import annotations

import pytest
from conftest import run, table

from mlfcore.entrypoint import frameworks

# Every framework image: the descendants of the base, not the base itself.
FOR_IMAGE = "base"
DESCENDANTS_ONLY = True
# Hash the artifacts the examples write (entrypoint/examples/outputs.py); metrics.json may hold timings.
DIGEST = ("find /tmp/out -name '*.npy' -o -name model.json | sort | xargs sha256sum")


@pytest.fixture
def framework(image):
    return image


def test_framework_is_the_pinned_version(engine, framework):
    spec = framework.spec
    result = run(engine, framework, "-c", f"import {spec.import_name}; print({spec.import_name}.__version__)",
                 entrypoint=["python"])
    assert result.exit_code == 0, result.stderr
    # torch's CPU wheel reports a local version (2.13.0+cpu): the release is what is pinned.
    assert result.stdout.strip().partition("+")[0] == spec.framework_version


def test_the_bundled_example_is_named(engine, framework):
    env = dict(item.partition("=")[::2] for item in engine.images.get(framework.ref).attrs["Config"]["Env"])
    assert env["MLF_IMAGE_EXAMPLE"] == framework.spec.example


# XGBoost caps its thread count at the CPU quota (measured, 3.2.0: --cpus 1 with nthread=2 gives the bits of one
# thread), so only a thread count every host can give is portable for it; mlf warns when the cap bites.
CAPPED_AT_CPUS = {"xgboost"}


def _train(engine, image, cpus: float, threads: int = 2) -> tuple[dict[str, str], str]:
    """Train the image's bundled example under `mlf run` in a fresh container; sha256 of each artifact by name."""
    framework, example = frameworks.examples()[image.spec.example]
    short = " ".join(f"--{key} {value}" for key, value in example.smoke.items())  # its smallest useful training
    script = (f"mlf run --threads {threads} -- python -m {frameworks.example_module(framework, example)} {short} "
              f"--output /tmp/out >&2 && {DIGEST}")
    result = run(engine, image, "-c", script, entrypoint=["sh"], cpus=cpus)
    assert result.exit_code == 0, result.stderr[-3000:]
    digests = {line.split()[1].removeprefix("/tmp/out/"): line.split()[0] for line in result.stdout.splitlines()}
    assert digests, "the example wrote no tensors/*.npy and no model.json"
    return digests, result.stderr


@pytest.mark.slow
def test_training_is_bit_identical_across_runs_and_cpu_counts(engine, framework):
    threads = 1 if framework.spec.import_name in CAPPED_AT_CPUS else 2
    first, _ = _train(engine, framework, cpus=2, threads=threads)
    again, _ = _train(engine, framework, cpus=2, threads=threads)
    one_cpu, _ = _train(engine, framework, cpus=1, threads=threads)
    assert again == first, "two runs with the same image and settings gave different bits"
    assert one_cpu == first, "--cpus 1 and --cpus 2 gave different bits (the thread count is pinned, not the cores)"


@pytest.mark.slow
def test_a_thread_count_the_cpu_quota_cannot_give_is_reported(engine, framework):
    if framework.spec.import_name not in CAPPED_AT_CPUS:
        return  # torch and TensorFlow run the pinned thread count whatever the quota (the test above)
    capped, stderr = _train(engine, framework, cpus=1, threads=2)
    assert "XGBoost will use 1 thread(s), not the contract's 2" in stderr
    full, _ = _train(engine, framework, cpus=2, threads=2)
    assert capped != full, "the warning is about real bits: the capped run differs"
