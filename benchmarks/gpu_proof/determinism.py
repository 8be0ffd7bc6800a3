"""Determinism: each example trained N times under the contract (`mlf verify --runs N`), then N times with the
contract off and its seeds kept (seeded.py), each run a fresh process.

Under the contract the fingerprints must be identical; `mlf verify` compares them and names the first differing
artifact. With the contract off they may differ: the proof fingerprints each run's outputs as `mlf` does
(train/fingerprint.py) and reports how many distinct fingerprints there were and where the first difference lies.
The contract-off runs alternate between the examples, so a budget that runs out leaves some runs of each; each
`mlf verify` may take at most VERIFY_SHARE of the budget, so one that hangs leaves time for the rest.
"""

from __future__ import annotations

from pathlib import Path

from .context import ROOT, Context, plain_environment
from .examples import EXAMPLES, flags, mlf_json, parameters

VERIFY_SHARE = 0.4

def run(ctx: Context) -> None:
    data = ctx.results["parts"][ctx.part]["data"]
    runs = 2 if ctx.options.quick else ctx.options.runs
    data["runs"] = runs
    for example in EXAMPLES:
        argv = ["verify", "--runs", str(runs), *flags(parameters(example, ctx.options.quick))]
        entry = mlf_json(ctx, example, argv, share=VERIFY_SHARE)
        data[example] = {"contract": _verified(entry), "seeds_only": {"runs": []}}
        ctx.save()
    outputs: dict[str, list[Path]] = {example: [] for example in EXAMPLES}
    for index in range(runs):
        for example in EXAMPLES:
            if not ctx.enough():
                ctx.results["parts"][ctx.part]["cut"] = True
                return
            entry, output = seeded_run(ctx, example, index)
            data[example]["seeds_only"]["runs"].append(entry)
            outputs[example].append(output)
            _compare(data[example]["seeds_only"], outputs[example])
            ctx.save()


def _verified(entry: dict) -> dict:
    """The parts of verify's summary the report shows."""
    result = entry.pop("result", None)
    if result:
        entry["identical"] = result["identical"]
        entry["fingerprints"] = [run["fingerprint"] for run in result["runs"]]
        entry["seconds"] = [run["seconds"].get("training") for run in result["runs"]]
        entry["environment_keys"] = sorted({run["environment_key"] for run in result["runs"]})
        mismatch = result.get("mismatch")
        entry["mismatch"] = _describe(mismatch) if mismatch else None
    return entry


def _describe(mismatch: dict) -> str:
    text = f"{mismatch['artifact']}: {mismatch['reason']}"
    if mismatch.get("differing_elements") is not None:
        text += (f"; {mismatch['differing_elements']} of {mismatch['total_elements']} elements differ, largest "
                 f"absolute difference {mismatch['max_abs_diff']:.6g}")
    return text


def seeded_run(ctx: Context, example: str, index: int) -> tuple[dict, Path]:
    output = ctx.scratch / "seeded" / example / str(index + 1)
    options = [item for name, value in parameters(example, ctx.options.quick).items()
               for item in (f"--{name}", value)]
    env = {**plain_environment(ctx.options.fake_device), "PYTHONHASHSEED": "0"}
    ran = ctx.run([ctx.python, "-m", "benchmarks.gpu_proof.seeded", example, "--output", str(output), *options],
                  cwd=ROOT, env=env)
    entry = {"seconds": round(ran.seconds, 2)}
    if ran.timed_out or ran.returncode != 0:
        entry["failed"] = f"{'cut by the budget' if ran.timed_out else f'exit {ran.returncode}'}: {ran.tail(3)}"
        if ran.timed_out:
            ctx.results["parts"][ctx.part]["cut"] = True
        return entry, output
    from mlfcore.entrypoint.train import fingerprint

    entry["fingerprint"] = fingerprint.compute(fingerprint.output_files(output)).digest
    return entry, output


def _compare(seeds_only: dict, outputs: list[Path]) -> None:
    """How many distinct fingerprints, and the first difference from run 1 (element-wise, as verify reports)."""
    from mlfcore.entrypoint.train import fingerprint

    finished = [(run, folder) for run, folder in zip(seeds_only["runs"], outputs) if "fingerprint" in run]
    seeds_only["distinct"] = len({run["fingerprint"] for run, _ in finished})
    seeds_only["first_difference"] = None
    for run, folder in finished[1:]:
        if run["fingerprint"] != finished[0][0]["fingerprint"]:
            first = finished[0][1]
            mismatch = fingerprint.compare(fingerprint.compute(fingerprint.output_files(first)),
                                           fingerprint.compute(fingerprint.output_files(folder)), first, folder)
            seeds_only["first_difference"] = mismatch.describe() if mismatch else None
            return
