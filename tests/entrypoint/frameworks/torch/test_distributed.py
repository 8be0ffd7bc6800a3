"""DistributedDataParallel with 2 gloo ranks on CPU, launched by `mlf run --nproc 2` (torch.distributed.run): two
runs give the same bits; ranks started by hand (the way two nodes start, each with its own `mlf run`) give those
bits too, and differ when one rank's seed differs."""

import socket
import subprocess
import sys

import pytest

from ...conftest import MLF, clean_environment, mlf, tree_digest

pytestmark = pytest.mark.slow

# One epoch (11 steps per rank) and one thread per rank keep two ranks within this machine's 2 cores.
EXAMPLE = [sys.executable, "-m", "mlfcore.entrypoint.frameworks.torch.examples.pytorch_digits", "--workers", "0", "--epochs", "1"]


@pytest.fixture(scope="session")
def two_ranks(tmp_path_factory):
    output = tmp_path_factory.mktemp("ddp")
    result = mlf("run", "--no-lint", "--threads", "1", "--nproc", "2", "--", *EXAMPLE, "--output", str(output))
    assert result.returncode == 0, result.stderr[-3000:]
    return tree_digest(output)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def by_hand(output, seeds):
    """Rank r started as its own `mlf run --seed seeds[r]`, joined through torch's env:// rendezvous."""
    port = str(_free_port())
    ranks = []
    for rank, seed in enumerate(seeds):
        env = clean_environment(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(len(seeds)),
                                MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        ranks.append(subprocess.Popen([*MLF, "run", "--no-lint", "--threads", "1", "--seed", str(seed), "--",
                                       *EXAMPLE, "--output", str(output)], env=env, stderr=subprocess.PIPE, text=True))
    for process in ranks:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
    return tree_digest(output)


def test_two_runs_with_two_ranks_are_bit_identical(two_ranks, tmp_path):
    result = mlf("run", "--no-lint", "--threads", "1", "--nproc", "2", "--", *EXAMPLE, "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(tmp_path) == two_ranks


def test_with_one_ranks_seed_changed_the_bits_differ(two_ranks, tmp_path):
    assert by_hand(tmp_path, seeds=(0, 1)) != two_ranks


@pytest.mark.heavy  # a third 2-rank training (about a minute on 2 busy cores): the positive control of the above
def test_ranks_started_by_hand_with_the_same_seed_give_the_launched_bits(two_ranks, tmp_path):
    assert by_hand(tmp_path, seeds=(0, 0)) == two_ranks


def test_nproc_refuses_a_command_that_is_not_python(tmp_path):
    result = mlf("run", "--no-lint", "--nproc", "2", "--", "true")
    assert result.returncode == 2
    assert "--nproc launches Python through torch.distributed.run" in result.stderr
