"""Ask the frameworks what they run with: `main(["torch", "tensorflow", ...])` in a child Python.

Runs as a child of `mlf sysinfo` (frameworks.py) so that a slow or crashing framework import cannot take `mlf` down;
prints one JSON line: component → what it reports, or {"error": ...}. What each framework reports is its probe
part's (frameworks/<name>/probe.py). Nothing there creates a CUDA context: the calls read compile-time facts or load
a library to ask its version (cudnnGetVersion, ncclGetVersion); none of them selects a device. The frameworks
answer from their installed files and libraries without the Python package's import (seconds each); NumPy is
imported.
"""

from __future__ import annotations

import json
import sys

from .. import frameworks


def _numpy() -> dict:
    import numpy

    report = {"version": numpy.__version__}
    try:
        config = numpy.show_config(mode="dicts")  # numpy >= 1.26
    except TypeError:
        return report
    blas = config.get("Build Dependencies", {}).get("blas", {})
    simd = config.get("SIMD Extensions", {})
    # NumPy picks SIMD kernels at run time from the CPU's features: part of what decides its bits.
    report.update({"blas": blas.get("name"), "blas_version": blas.get("version"),
                   "simd_baseline": simd.get("baseline"), "simd_found": simd.get("found")})
    return report


def _framework_probes() -> tuple[dict, dict, dict]:
    probes, modules, why = {}, {}, {}
    for _, part in frameworks.parts("probe"):
        probes.update(part.PROBES)
        modules.update(part.MODULES)
        why.update(part.WHY)
    return probes, modules, why


# component → what it reports: each framework's (its probe part, registry order), then NumPy; the module whose
# presence in sys.modules means it can be asked in-process; what a difference in its report means.
_PROBES, _MODULES, _WHY = _framework_probes()
PROBES = {**_PROBES, "numpy": _numpy}
MODULES = {**_MODULES, "numpy": "numpy"}
WHY = {**_WHY, "numpy": "NumPy's BLAS and the SIMD extensions it dispatches to"}


def ask(name: str) -> dict:
    """What framework `name` reports, as JSON-able data; a failure of any kind becomes {"error": ...}."""
    try:
        report = PROBES[name]()
    # A framework's import can fail in any way (ImportError, OSError for a missing CUDA library, RuntimeError from
    # its own checks); each one is a fact for the record, not a reason to lose the other frameworks' answers.
    except Exception as err:  # noqa: BLE001
        return {"error": f"{type(err).__name__}: {err}"}
    return json.loads(json.dumps(report, default=str))


def main(names: list[str]) -> int:
    answers = {name: ask(name) if name in PROBES else {"error": "no probe for it"} for name in names}
    sys.stdout.write(json.dumps(answers) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
