"""Two containers on the host network acting as two nodes (torchrun's static rendezvous on 127.0.0.1), one rank
each: the same bits as one container running both ranks (`--nproc 2`), which the maths says they must be — the
same ranks, data partitions and gloo all-reduce, only the processes' placement differs."""

import hashlib
import socket

import pytest

FOR_IMAGE = "pytorch"

EXAMPLE = ["python", "-m", "mlfcore.entrypoint.frameworks.torch.examples.pytorch_digits", "--workers", "0", "--epochs", "1"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _digest(folder):
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _start(engine, image, volume, output, *mlf_args, network_host=False):
    options = {"network_mode": "host"} if network_host else {}
    command = ["run", "--no-lint", "--threads", "1", *mlf_args, "--", *EXAMPLE, "--output", f"/out/{output}"]
    return engine.containers.run(image.ref, command,
                                 detach=True, volumes={str(volume): {"bind": "/out", "mode": "rw"}}, **options)


def _finish(container):
    try:
        status = container.wait(timeout=600)
        assert status["StatusCode"] == 0, container.logs().decode()[-3000:]
    finally:
        container.remove(force=True)


@pytest.mark.heavy  # three 2-rank trainings in containers (about 2 minutes on 2 busy cores)
def test_two_containers_as_two_nodes_give_the_bits_of_one_container_with_two_ranks(engine, image, tmp_path):
    tmp_path.chmod(0o777)  # the image's user (uid 1000) writes there
    port = str(_free_port())
    nodes = [_start(engine, image, tmp_path, "two-nodes", "--nnodes", "2", "--node-rank", str(rank),
                    "--master-addr", "127.0.0.1", "--master-port", port, network_host=True) for rank in (0, 1)]
    for node in nodes:
        _finish(node)
    _finish(_start(engine, image, tmp_path, "one-node", "--nproc", "2"))
    _finish(_start(engine, image, tmp_path, "other-seed", "--nproc", "2", "--seed", "1"))
    assert _digest(tmp_path / "two-nodes") == _digest(tmp_path / "one-node")
    assert _digest(tmp_path / "other-seed") != _digest(tmp_path / "one-node")
