"""`--deploy slurm|k8s`: the Slurm batch script and the Kubernetes manifests, checked against real schemas.

- The indexed Job: kubernetes-validate (PyPI), strict, against the bundled Kubernetes OpenAPI schemas.
- The PyTorchJob: the CRD's structure as a JSON schema written here (below), and its pod template through
  kubernetes-validate as a core PodTemplate.
- The Slurm script: slurm-wlm's sbatch needs a running slurmctld even for --test-only, so the script is parsed —
  bash -n for syntax, every #SBATCH option against sbatch's long options.
"""

from __future__ import annotations

import re
import subprocess

import jsonschema
import pytest
import yaml

from mlfcore.scaffold.project import answers, render

from .conftest import fixed_answers

# The PyTorchJob v1 CRD as the Kubeflow training operator published it (kubeflow/training-operator, commit
# ee1162919408cbca4a899f2916cfcd0ecd562881, manifests/base/crds/kubeflow.org_pytorchjobs.yaml): spec requires
# pytorchReplicaSpecs (line 8287), a replica spec has replicas (int32), restartPolicy ("One of Always, OnFailure,
# Never and ExitCode", line 590) and a pod template; runPolicy has backoffLimit and cleanPodPolicy. The replica
# types are Master and Worker and the container must be named "pytorch" (pkg/apis/kubeflow.org/v1/pytorch_types.go,
# lines 27 and 41-43 of the same commit). Unknown fields are refused, as the API server's structural pruning would
# drop them silently.
PYTORCHJOB_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "kubeflow.org/v1"},
        "kind": {"const": "PyTorchJob"},
        "metadata": {"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                                             "maxLength": 63}}},
        "spec": {
            "type": "object",
            "required": ["pytorchReplicaSpecs"],
            "additionalProperties": False,
            "properties": {
                "runPolicy": {"type": "object", "additionalProperties": False, "properties": {
                    "backoffLimit": {"type": "integer", "minimum": 0},
                    "cleanPodPolicy": {"enum": ["All", "Running", "None"]},
                    "activeDeadlineSeconds": {"type": "integer", "minimum": 1}}},
                "pytorchReplicaSpecs": {
                    "type": "object",
                    "required": ["Master"],
                    "additionalProperties": False,
                    "patternProperties": {"^(Master|Worker)$": {
                        "type": "object",
                        "required": ["template"],
                        "additionalProperties": False,
                        "properties": {
                            "replicas": {"type": "integer", "minimum": 0},
                            "restartPolicy": {"enum": ["Always", "OnFailure", "Never", "ExitCode"]},
                            "template": {"type": "object", "required": ["spec"], "properties": {"spec": {
                                "type": "object", "required": ["containers"], "properties": {"containers": {
                                    "type": "array", "minItems": 1,
                                    "contains": {"type": "object", "properties": {"name": {"const": "pytorch"}},
                                                 "required": ["name"]}}}}}},
                        }}},
                },
            },
        },
    },
}
DIGEST_IMAGE = re.compile(r"^ghcr\.io/acme/golden-pytorch@sha256:[0-9a-f]{64}$")


def _load(rendered, path):
    return yaml.safe_load((rendered["pytorch"] / path).read_text())


def _contract_env(container) -> dict[str, str]:
    """The container's environment without the image's identity (MLF_IMAGE_*, which publish pins to a digest)."""
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env.pop("MLF_IMAGE_REF") == container["image"]
    assert env.pop("MLF_IMAGE_DIGEST") == container["image"].partition("@")[2]
    return env


def test_job_is_a_valid_indexed_job_with_the_contract_and_a_digest(rendered):
    import kubernetes_validate

    job = _load(rendered, "deploy/k8s/job.yaml")
    kubernetes_validate.validate(job, kubernetes_validate.utils.latest_version(), strict=True)
    assert job["spec"]["completionMode"] == "Indexed"
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert DIGEST_IMAGE.match(container["image"])
    assert _contract_env(container) == answers.contract_environment()


def test_job_validation_can_fail(rendered):
    import kubernetes_validate

    job = _load(rendered, "deploy/k8s/job.yaml")
    job["spec"]["completionMode"] = 3
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, kubernetes_validate.utils.latest_version(), strict=True)


def test_pytorchjob_matches_the_crd_and_its_pod_template_is_valid(rendered):
    import kubernetes_validate

    job = _load(rendered, "deploy/k8s/pytorchjob.yaml")
    jsonschema.validate(job, PYTORCHJOB_SCHEMA)
    master = job["spec"]["pytorchReplicaSpecs"]["Master"]
    pod_template = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "master"},
                    "template": master["template"]}
    kubernetes_validate.validate(pod_template, kubernetes_validate.utils.latest_version(), strict=True)
    container = master["template"]["spec"]["containers"][0]
    assert DIGEST_IMAGE.match(container["image"])
    assert _contract_env(container) == answers.contract_environment()


def test_pytorchjob_schema_refuses_a_wrong_container_name(rendered):
    job = _load(rendered, "deploy/k8s/pytorchjob.yaml")
    job["spec"]["pytorchReplicaSpecs"]["Master"]["template"]["spec"]["containers"][0]["name"] = "train"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(job, PYTORCHJOB_SCHEMA)


def test_no_pytorchjob_for_other_frameworks():
    assert "deploy/k8s/pytorchjob.yaml" not in render.render(fixed_answers("xgboost"))


# sbatch's long options that the script may use (sbatch(1), Slurm 22.05 in Debian bookworm's slurm-wlm).
SBATCH_OPTIONS = {"job-name", "output", "error", "open-mode", "nodes", "ntasks", "cpus-per-task", "mem", "time",
                  "gres", "signal", "requeue", "partition", "account", "qos", "gpus"}


def _directives(text: str) -> dict[str, str | None]:
    found = {}
    for line in text.splitlines():
        match = re.match(r"^#SBATCH --([a-z-]+)(?:=(\S+))?$", line)
        if line.startswith("#SBATCH"):
            assert match, f"malformed directive: {line}"
            found[match[1]] = match[2]
    return found


def test_slurm_script_parses_and_asks_for_preemption_and_requeue(rendered):
    script = rendered["pytorch"] / "deploy" / "slurm" / "train.sbatch"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    text = script.read_text()
    directives = _directives(text)
    assert set(directives) <= SBATCH_OPTIONS, set(directives) - SBATCH_OPTIONS
    # B: delivers the signal to the batch shell, whose trap stops training and requeues (sbatch(1), --signal).
    assert re.fullmatch(r"B:USR1@\d+", directives["signal"]) and "requeue" in directives
    assert "trap requeue USR1" in text and "scontrol requeue" in text
    assert re.search(r'apptainer exec .*"\$IMAGE" mlf train', text.replace("\\\n", ""))
    assert 'IMAGE="docker://ghcr.io/acme/golden-pytorch@${IMAGE_DIGEST}"' in text
    exported = dict(re.findall(r"^export APPTAINERENV_(\w+)=(.*)$", text, re.MULTILINE))
    expected = answers.contract_environment()
    assert {k: v.strip("'") for k, v in exported.items()} == expected


def test_slurm_script_refuses_to_run_without_a_digest(rendered, tmp_path):
    script = rendered["pytorch"] / "deploy" / "slurm" / "train.sbatch"
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode != 0 and "IMAGE_DIGEST" in result.stderr


def test_directive_parser_catches_a_typo():
    with pytest.raises(AssertionError):
        assert set(_directives("#SBATCH --requeu\n")) <= SBATCH_OPTIONS


# A configuration naming a controller that is not there: sbatch (Debian's slurm-client) then reads the whole script,
# checks every #SBATCH option, and stops only when it tries to reach the controller (measured with Slurm 22.05.8:
# an unknown option exits 255 "unrecognized option", a bad --signal 255 "Invalid --signal specification", a valid
# script 1 "Unable to contact slurm controller"). MessageTimeout=1 cuts sbatch's retries from 18 s to 0.04 s.
SLURM_CONF = ("ClusterName=check\nSlurmctldHost=localhost\nNodeName=localhost CPUs=2\n"
              "PartitionName=main Nodes=localhost Default=YES\nMessageTimeout=1\n")


def _sbatch_test_only(script, tmp_path):
    import os
    import shutil

    sbatch = shutil.which("sbatch")
    if sbatch is None:
        message = "sbatch is missing: apt-get install -y slurm-client"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    conf = tmp_path / "slurm.conf"
    conf.write_text(SLURM_CONF)
    return subprocess.run([sbatch, "--test-only", str(script)], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "SLURM_CONF": str(conf), "IMAGE_DIGEST": "sha256:0"})


def test_sbatch_accepts_every_directive(rendered, tmp_path):
    result = _sbatch_test_only(rendered["pytorch"] / "deploy" / "slurm" / "train.sbatch", tmp_path)
    assert result.returncode == 1 and "Unable to contact slurm controller" in result.stderr, result.stderr
    assert "unrecognized option" not in result.stderr and "Invalid" not in result.stderr


def test_sbatch_rejects_a_bad_signal_directive(rendered, tmp_path):
    bad = tmp_path / "bad.sbatch"
    text = (rendered["pytorch"] / "deploy" / "slurm" / "train.sbatch").read_text()
    bad.write_text(re.sub(r"--signal=\S+", "--signal=B:USR1@soon", text))
    result = _sbatch_test_only(bad, tmp_path)
    assert result.returncode != 0 and "Invalid --signal specification" in result.stderr, result.stderr
