"""verify's environment check and reproduce's docker line, without training."""

from types import SimpleNamespace

import pytest

from mlfcore.entrypoint import contract, sysinfo
from mlfcore.entrypoint.commands import reproduce, verify
from mlfcore.entrypoint.errors import CheckFailed


def result(seed):
    record = sysinfo.collect(contract.Settings(seed=seed), fast=True)
    return SimpleNamespace(environment_key=record["environment_key"]["key"], record=record)


def test_runs_in_different_environments_are_refused_unless_asked(capsys):
    same, other = result(0), result(1)
    verify.check_environments([same, result(0)], across_environments=False)
    with pytest.raises(CheckFailed, match="different environment keys") as caught:
        verify.check_environments([same, other], across_environments=False)
    assert caught.value.hint == "pass --across-environments to compare them anyway"
    verify.check_environments([same, other], across_environments=True)
    assert "seed" in capsys.readouterr().err  # the sysinfo difference, shown first


def test_docker_line_names_the_image_and_every_recorded_setting():
    tags = {"mlf.image": "mlfcore/pytorch:0.1.0-torch2.13.0-cuda", "mlf.image_variant": "cuda",
            "mlf.entry_point": "evaluate"}
    settings = {"mlf.seed": "7", "mlf.threads": "4", "mlf.portable": "false", "mlf.allow_nondeterministic": "false"}
    line = reproduce.docker_line(tags, {"name": "a b", "epochs": "3"}, settings)
    assert line == ('docker run --rm --gpus all -v "$PWD":/workspace mlfcore/pytorch:0.1.0-torch2.13.0-cuda train '
                    "-e evaluate -P epochs=3 -P 'name=a b' --seed 7 --threads 4 --no-portable")
    assert reproduce.docker_line({}, {}, settings) is None


def test_docker_line_asks_for_gpus_only_when_the_run_had_some():
    settings = {"mlf.seed": "0", "mlf.threads": "2"}
    cuda = {"mlf.image": "mlfcore/pytorch:0.1.0-torch2.13.0-cuda", "mlf.image_variant": "cuda"}
    assert "--gpus all" not in reproduce.docker_line({**cuda, "mlf.gpu_count": "0"}, {}, settings)
    assert "--gpus all" in reproduce.docker_line({**cuda, "mlf.gpu_count": "2"}, {}, settings)
    # A derived image the host did not name: the line says where its name goes.
    derived = {"mlf.image_derived": "true", "mlf.image_parent": "mlfcore/xgboost:cpu", "mlf.gpu_count": "0"}
    assert ' IMAGE train ' in reproduce.docker_line(derived, {}, settings)


def test_the_entry_points_params_are_mlf_own_names():
    from mlfcore.entrypoint.train import tracking

    assert tracking.ENTRY_PARAM_PREFIX.startswith(tracking.PARAM_PREFIX) and tracking.PARAM_PREFIX == "mlf."
    assert tracking.entry_params({"eta": ".5"}) == {"mlf.param.eta": ".5"}
    assert not hasattr(tracking, "TAG_PREFIX")  # nothing read it


def test_docker_line_uses_the_mlproject_docker_env_image():
    settings = {"mlf.seed": "0", "mlf.threads": "2"}
    tags = {"mlf.image": "mlfcore/xgboost:cpu", "mlf.docker_env_image": "ghcr.io/me/iris:1"}
    assert reproduce.docker_line(tags, {}, settings).startswith('docker run --rm -v "$PWD":/workspace '
                                                                "ghcr.io/me/iris:1 train ")
    assert reproduce.docker_line({"mlf.docker_env_image": "me/iris"}, {}, settings) is not None
