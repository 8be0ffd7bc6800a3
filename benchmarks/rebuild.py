"""Each image built twice from one commit without any cache, minutes apart, from two build folders: are the image ids
equal, how long did each build take, how big is the image. The table of docs/images.md, "Rebuilding an image".

    python -m benchmarks.rebuild [IMAGE ...] [--variant cpu|cuda]     (default: every image, parents first)

The first build is `make image/NAME NO_CACHE=1` (tagged as usual, so a child builds FROM it); the second builds the
same image again in an empty builder storage (`--fresh-storage`, as `mlf-scaffold rebuild-check` does) from another
staged folder, tagged only under a scratch name that is removed afterwards. WHEELHOUSE, CA_BUNDLE, BASE_IMAGE and MLF_IMAGE_NAMESPACE come from the environment, as for
`make`. The load average is printed with each row: wall times move with the other work on the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from mlfcore.scaffold import references
from mlfcore.scaffold.images import builder, table

from . import timing

ROOT = Path(__file__).resolve().parent.parent
BUILD = [sys.executable, "-m", "mlfcore.scaffold.images.build"]


def _options() -> list[str]:
    options = []
    for option, variable in (("--wheelhouse", "WHEELHOUSE"), ("--ca-bundle", "CA_BUNDLE"),
                             ("--base-image", "BASE_IMAGE")):
        if os.environ.get(variable):
            options += [option, os.environ[variable]]
    return options


def _build(*args: str) -> tuple[float, str]:
    """One build without any cached layer; its wall time and the image id it printed."""
    started = time.perf_counter()
    done = subprocess.run([*BUILD, *args, *_options()], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"building {' '.join(args)} failed")
    found = references.DIGEST.findall(done.stderr.strip().splitlines()[-1])
    return seconds, found[0]


def row(name: str, variant: str) -> str:
    first_s, first = _build(name, "--variant", variant, "--no-cache")
    scratch = f"{os.environ.get('MLF_IMAGE_NAMESPACE', 'mlfcore')}/rebuild-bench:{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="mlfcore-rebuild-bench-") as folder:
        try:
            second_s, second = _build(name, "--variant", variant, "--fresh-storage", "--no-tag", scratch,
                                      "--context-dir", str(Path(folder) / "context"))
        finally:
            builder.docker("image", "rm", scratch)
    size = int(builder.docker("image", "inspect", "--format", "{{.Size}}", first).stdout.strip())
    return (f"| {name}:{variant} | {'yes' if first == second else 'NO'} (`{first[7:19]}`) | {first_s:.0f} s, "
            f"{second_s:.0f} s | {size / 1e6:.0f} MB | {timing.load()} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", help="default: every image of images/images.toml, parents first")
    parser.add_argument("--variant", default="cpu")
    args = parser.parse_args(argv)
    print("| image:variant | the same id twice? | build time, no cache (first, second) | size | load |")
    print("| --- | --- | --- | ---: | --- |")
    for name in args.images or list(table.IMAGES):
        variant = args.variant if args.variant in table.image(name).variants else table.image(name).variants[0]
        print(row(name, variant), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
