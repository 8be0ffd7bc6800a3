"""--nproc: the torchrun command line, its options, and the world size in the record and the environment key."""

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.frameworks.torch.launch import Launch
from mlfcore.entrypoint.sysinfo import key
from mlfcore.entrypoint.train import resume


def test_one_process_runs_the_command_unchanged():
    assert Launch().wrap(["python", "train.py"]) == ["python", "train.py"]


def test_a_script_and_a_module_go_through_torch_distributed_run_standalone_on_one_node():
    assert Launch(nproc=2).wrap(["python", "train.py", "--lr", "1"]) == [
        "python", "-m", "torch.distributed.run", "--nproc-per-node=2", "--nnodes=1", "--standalone",
        "train.py", "--lr", "1"]
    assert Launch(nproc=2).wrap(["/venv/bin/python3", "-m", "pkg.train"])[-2:] == ["-m", "pkg.train"]


def test_multi_node_options_pass_through_and_the_world_size_counts_every_node():
    launch = Launch(nproc=4, nnodes="1:2", node_rank=1, rdzv_endpoint="10.0.0.1:29400", rdzv_backend="c10d",
                    rdzv_id="job7")
    options = launch.torchrun_options()
    assert options == ["--nproc-per-node=4", "--nnodes=1:2", "--node-rank=1", "--rdzv-endpoint=10.0.0.1:29400",
                       "--rdzv-backend=c10d", "--rdzv-id=job7"]
    assert launch.world_size == 8


@pytest.mark.parametrize("bad", [dict(nproc=0), dict(nnodes="two"), dict(nnodes="1:2:3")])
def test_bad_launch_options_are_usage_errors(bad):
    with pytest.raises(UsageError):
        Launch(**bad)


def test_interpreter_options_cannot_pass_through():
    with pytest.raises(UsageError, match="'-u'"):
        Launch(nproc=2).wrap(["python", "-u", "train.py"])


def test_the_world_size_changes_the_environment_key_and_one_process_keeps_the_plain_key():
    record = {"contract": {"seed": 0, "threads": 2}}
    plain = key.environment_key(record)["key"]
    assert resume.annotate(dict(record), Launch())["environment_key"]["key"] == plain
    assert resume.annotate(dict(record), Launch(nproc=2))["environment_key"]["key"] != plain
