"""The lint-truth part's child: runs cases on one device and writes one JSON line per event, flushed at once.

    python -m benchmarks.gpu_proof.lint_child --device cuda --out results.jsonl SLUG ...

Its environment is the contract's (the parent passes it), so CUBLAS_WORKSPACE_CONFIG is set before cuBLAS starts.
Each case runs twice under `torch.use_deterministic_algorithms(True)` with cuDNN's deterministic switch on and its
benchmark off, as the contract sets them, then twice with both switches off; each time from the same seed. What
it did — raised torch's determinism error, warned, ran, or failed otherwise — and whether the two executions gave
the same bits. A "start" line comes before each case, so the parent can name a case that killed the process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import warnings

from .cases import BY_SLUG

# torch's alert reads "... does not have a deterministic implementation, but you set
# 'torch.use_deterministic_algorithms(True)'" (aten/src/ATen/Context.cpp, alertNotDeterministic); cuBLAS's reads
# "Deterministic behavior was enabled with ...". Either is the switch speaking, not a broken case.
DETERMINISM = re.compile(r"determinis", re.IGNORECASE)
# A CUDA error such as a device-side assert leaves the context unusable for the rest of the process ("CUDA error:
# ..." from c10/cuda/CUDAException.h): the child stops after the case that met it, with this exit code.
STICKY = "CUDA error"
POISONED = 3


def _tensors(value):
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)
    else:
        yield value


def digest(result) -> str:
    """sha256 over every tensor's dtype, shape and bytes (sparse as dense, quantized as its integers)."""
    import torch

    hasher = hashlib.sha256()
    for item in _tensors(result):
        if not isinstance(item, torch.Tensor):
            hasher.update(repr(item).encode())
            continue
        tensor = item.detach()
        tensor = tensor.to_dense() if tensor.is_sparse else tensor
        tensor = tensor.int_repr() if tensor.is_quantized else tensor
        tensor = tensor.cpu().contiguous()
        hasher.update(f"{tensor.dtype}{tuple(tensor.shape)}".encode())
        hasher.update(tensor.numpy().tobytes())
    return hasher.hexdigest()


def switches(torch, deterministic: bool) -> None:
    """The contract's torch switches on, or off as torch has them by default (benchmark stays off: its timing-based
    choice would make the comparison of two runs a comparison of two algorithm picks)."""
    torch.use_deterministic_algorithms(deterministic)  # mlf: ignore[contract-deterministic-algorithms-off] -- both ways
    torch.backends.cudnn.deterministic = deterministic  # mlf: ignore[contract-cudnn-deterministic] -- both ways
    torch.backends.cudnn.benchmark = False


def execute(torch, code: str, name: str, device: str) -> dict:
    """One execution from seed 0: {"outcome": raises|warns|runs|fails, "message", "digest"}."""
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            namespace = {"DEVICE": device, "__name__": "lint_case"}
            exec(compile(code, name, "exec"), namespace)
            found = digest(namespace["result"])
            if device.startswith("cuda"):
                torch.cuda.synchronize()
        except Exception as failure:  # any error of the case is its outcome, recorded by its type
            text = f"{type(failure).__name__}: {str(failure).strip().splitlines()[0] if str(failure).strip() else ''}"
            raised = isinstance(failure, RuntimeError) and DETERMINISM.search(str(failure))
            return {"outcome": "raises" if raised else "fails", "message": text[:400], "digest": None}
    said = [str(w.message).splitlines()[0] for w in caught if DETERMINISM.search(str(w.message))]
    if said:
        return {"outcome": "warns", "message": said[0][:400], "digest": found}
    return {"outcome": "runs", "message": "", "digest": found}


def twice(torch, code: str, name: str, device: str, deterministic: bool) -> dict:
    switches(torch, deterministic)
    first = execute(torch, code, name, device)
    if first["digest"] is None:
        return {"outcome": first["outcome"], "message": first["message"], "same_bits": None}
    second = execute(torch, code, name, device)
    same = second["digest"] == first["digest"] if second["digest"] is not None else None
    return {"outcome": first["outcome"], "message": first["message"], "same_bits": same}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("slugs", nargs="+", choices=sorted(BY_SLUG), metavar="SLUG")
    args = parser.parse_args(argv)
    import torch

    with open(args.out, "a", encoding="utf-8") as stream:
        def write(line: dict) -> None:
            stream.write(json.dumps(line) + "\n")
            stream.flush()

        write({"event": "torch", "version": torch.__version__, "device": args.device})
        for slug in args.slugs:
            case = BY_SLUG[slug]
            write({"event": "start", "case": slug})
            started = time.perf_counter()
            on = twice(torch, case.code, slug, args.device, True)
            off = twice(torch, case.code, slug, args.device, False)
            write({"event": "done", "case": slug, "on": on, "off": off,
                   "seconds": round(time.perf_counter() - started, 3)})
            if any(STICKY in mode["message"] for mode in (on, off)):
                return POISONED  # the CUDA context is lost to every later case: the parent starts a new child
    return 0


if __name__ == "__main__":
    sys.exit(main())
