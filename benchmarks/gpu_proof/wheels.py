"""Prepare the GPU machine's call: the wheels it lacks, downloaded here into .gpu-wheels/ (git ignores it), and the
command to run there.

    python -m benchmarks.gpu_proof.wheels [--dest .gpu-wheels] [--python-version 3.12]

The GPU machine has its own Python 3.12, its own torch and no network; mlfcore goes in with `pip install --no-deps`,
so whatever mlfcore needs beyond that machine's packages has to travel with the tree (64 MiB at most). What
travels: every distribution mlfcore requires, directly or through another, at the version installed in this
environment (the one the tests pass with), as binary wheels for that Python on manylinux x86-64 — except those
LEFT_TO_THE_MACHINE — and the build backend pyproject.toml names, so the editable install builds offline.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from .context import ROOT

DEST = ROOT / ".gpu-wheels"
# The machine's torch and its scientific stack are built against its own NumPy and pandas (and pandas' date
# libraries); a wheel of ours placed before them could break torch's own imports. They are on the machine (its
# image lists numpy, pandas, python-dateutil and six), and mlfcore needs no particular version of them.
LEFT_TO_THE_MACHINE = frozenset({"numpy", "pandas", "python-dateutil", "tzdata", "six"})
# pip matches a manylinux tag exactly: the tags the wheels of these packages are published under.
PLATFORMS = ("manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_27_x86_64", "manylinux_2_28_x86_64",
             "manylinux_2_34_x86_64", "manylinux1_x86_64")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str = "mlfcore") -> dict[str, str]:
    """Every distribution `root` requires (no extras), directly or not, with the version installed here."""
    from packaging.requirements import Requirement

    found: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        for text in metadata.requires(name) or []:
            wanted = Requirement(text)
            key = canonical(wanted.name)
            if key in found or (wanted.marker is not None and not wanted.marker.evaluate({"extra": ""})):
                continue
            found[key] = metadata.version(wanted.name)
            todo.append(wanted.name)
    return dict(sorted(found.items()))


def wanted() -> list[str]:
    """What to download: the pinned closure less what the machine keeps, and the build backend."""
    pinned = [f"{name}=={version}" for name, version in closure().items() if name not in LEFT_TO_THE_MACHINE]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    return pinned + list(build)


def download(dest: Path, python_version: str) -> list[Path]:
    dest.mkdir(exist_ok=True)
    for old in dest.glob("*.whl"):  # one version of each: two of one package stop the whole install there
        old.unlink()
    platforms = [item for platform in PLATFORMS for item in ("--platform", platform)]
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--python-version", python_version, "--implementation", "cp", *platforms, "--dest", str(dest),
                    *wanted()], check=True)
    return sorted(dest.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEST)
    parser.add_argument("--python-version", default="3.12", help="the GPU machine's Python (KINDS: 3.12)")
    args = parser.parse_args(argv)
    try:
        wheels = download(args.dest, args.python_version)
    except subprocess.CalledProcessError as failure:
        print(f"gpu-proof wheels: error: pip download failed (exit {failure.returncode})", file=sys.stderr)
        return 2
    size = sum(path.stat().st_size for path in wheels) / 2**20
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"{len(wheels)} wheels, {size:.1f} MiB, in {args.dest}\n"
          f"on the GPU machine (carry: [\"{args.dest.name}\"]): bash benchmarks/gpu_proof/on_device.sh "
          f"--commit {head.stdout.strip() or 'UNKNOWN'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
