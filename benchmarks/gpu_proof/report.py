"""docs/GPU.md, rendered from the proof's results (docs/GPU.json): one function a section, joined in order.

The text below ANALYSIS in the existing file is written by hand about the figures and kept on every rewrite.
"""

from __future__ import annotations

import json

from .context import BUDGETS

ANALYSIS = "<!-- analysis: written by hand about the figures above; the proof keeps it -->"
PARTS = tuple(BUDGETS)
HOW = [
    "What a run records: the machine (GPU, driver, CUDA, cuDNN, torch, and the NVML section of `mlf sysinfo`); "
    "determinism (the PyTorch digits example and the U-Net each trained 5 times by `mlf verify` under the contract, "
    "and 5 times with the contract off and its seeds kept; `mlf verify --resume-at`; `mlf bench`); lint truth (every "
    "op the torch rule table names, run on CUDA under `torch.use_deterministic_algorithms(True)`: raises, warns or "
    "runs, against what the table says).",
    "How to make one: where pip reaches PyPI, `python -m benchmarks.gpu_proof.wheels` downloads into .gpu-wheels/ "
    "what a GPU machine with its own torch lacks (mlfcore's requirements, about 25 MiB) and prints the command for "
    "that machine, `bash benchmarks/gpu_proof/on_device.sh --commit SHA` with .gpu-wheels carried beside the tree: "
    "it makes a venv that sees the machine's torch, installs the wheels and `pip install --no-deps -e .`, and runs "
    "`python -m benchmarks.gpu_proof` (`make gpu-proof` where mlfcore is installed). Each part has a time budget "
    f"({', '.join(f'{part} {seconds} s' for part, seconds in BUDGETS.items())}: {sum(BUDGETS.values())} s in all); "
    "`--parts` and `--quick` rerun what a budget cut, keeping the other parts' results.",
]


def cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    return lines + ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]


def render(results: dict, analysis: str = "") -> str:
    lines = ["# mlfcore on a GPU", "",
             "<!-- Written by `make gpu-proof` (`python -m benchmarks.gpu_proof`) from docs/GPU.json. -->", ""]
    parts = results.get("parts") or {}
    if not parts:
        lines += ["**No GPU run has been made yet.** Nothing on this page was measured on a GPU.", ""]
        lines += [line for paragraph in HOW for line in (paragraph, "")]
    else:
        if results.get("fake_device"):
            lines += ["> **Fake device.** Every figure here ran on the CPU (`--fake-device`): it tests the proof's "
                      "plumbing and proves nothing about a GPU.", ""]
        lines += provenance(parts) + machine(parts.get("machine")) + determinism(parts) + lint(parts.get("lint"))
    lines += [ANALYSIS, ""]
    return "\n".join(lines) + (analysis.strip() + "\n" if analysis.strip() else "")


def provenance(parts: dict) -> list[str]:
    rows = [[name, parts[name]["status"], parts[name].get("host"), parts[name].get("started"),
             f"{parts[name].get('seconds', 0):.0f} s", f"{parts[name].get('budget', 0):.0f} s",
             f"`{parts[name].get('command')}`", parts[name].get("commit") or "not known"]
            for name in PARTS if name in parts]
    notes = [f"- {name}: {note}" for name in PARTS if name in parts for note in parts[name].get("notes", [])]
    return ["## Where these figures came from", "",
            *table(["part", "status", "machine", "date (UTC)", "took", "budget", "command", "commit"], rows), "",
            *(notes + [""] if notes else [])]


def machine(part: dict | None) -> list[str]:
    if not part or not part.get("data"):
        return []
    data = part["data"]
    facts, info = data.get("probe") or {}, data.get("sysinfo") or {}
    devices = facts.get("devices") or []
    lines = ["## The machine", ""]
    for device in devices:
        lines.append(f"- GPU: {device['name']}, compute capability {device['capability']}, "
                     f"{device['memory_bytes'] / 2**30:.1f} GiB, {device['multiprocessors']} multiprocessors")
    nvml = facts.get("nvml") or {}
    lines += [f"- NVIDIA driver {nvml.get('driver_version')}, CUDA driver {nvml.get('cuda_driver_version')} (NVML)",
              f"- torch {facts.get('torch')}, built for CUDA {facts.get('cuda_build')}, cuDNN {facts.get('cudnn')}, "
              f"NCCL {facts.get('nccl')}; Python {facts.get('python')}",
              f"- CPU: {(info.get('cpu') or {}).get('model')}; kernel {info.get('kernel')}"]
    problems = data.get("requirements") or []
    lines.append("- mlfcore's requirements: " + ("all installed, each in its range" if not problems else
                                                   "; ".join(problems)))
    if info.get("failed"):
        lines += ["", f"`{info['command']}` failed: {info['failed']}"]
    else:
        lines += ["", f"The NVML section (`gpu`) of `{info.get('command')}`, as recorded, and what the record says "
                      "of torch and NVIDIA's libraries:", "", "```json",
                  json.dumps({"gpu": info.get("gpu"), "runtime.torch": info.get("torch_runtime"),
                              "nvidia_libraries": info.get("nvidia_libraries"),
                              "environment_key": info.get("environment_key")}, indent=2, sort_keys=True), "```"]
    return lines + [""]


def determinism(parts: dict) -> list[str]:
    from . import report_training

    chosen = [parts.get(name) for name in ("determinism", "resume", "bench")]
    if not any(chosen):
        return []
    return ["## Determinism", "", *report_training.contract(chosen[0]), *report_training.resume(chosen[1]),
            *report_training.bench(chosen[2])]


def lint(part: dict | None) -> list[str]:
    if not part or not part.get("data", {}).get("cases"):
        return []
    from . import report_lint

    return report_lint.section(part["data"])

