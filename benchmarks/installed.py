"""mlf installed the way the images install it, for start-up figures that mean what a user pays.

An editable checkout imports mlfcore through setuptools' editable finder (15-25 ms of every start, `python -X
importtime`), and where PYTHONDONTWRITEBYTECODE is set (it is on the test machine) its modules have no .pyc and are
compiled on every start. The images install the runtime wheel with pip, which byte-compiles it. This module builds
that wheel (mlfcore.scaffold.images.runtime_wheel) into a fresh venv whose other packages come from this one through
a .pth file, so the frameworks are the same.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def venv() -> Iterator[tuple[str, str]]:
    """(python, mlf) of a temporary venv with the runtime wheel installed and compiled."""
    from mlfcore.scaffold.images import runtime_wheel

    with tempfile.TemporaryDirectory(prefix="mlf-bench-venv-") as folder:
        root = Path(folder)
        wheel = runtime_wheel.build(root / "dist")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
        python = root / "venv" / "bin" / "python"
        purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        # This venv's packages after the new one's own: mlfcore resolves to the wheel, torch and the rest to ours.
        Path(purelib, "_mlf_bench_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                        "--no-index", str(wheel)], check=True, env=env)
        yield str(python), str(root / "venv" / "bin" / "mlf")


TORCHDETSCAN = "torchdetscan==0.1"  # the release on PyPI (2024); its tables stop at torch 2.3


@contextmanager
def torchdetscan() -> Iterator[str | None]:
    """The torchdetscan console script in a venv of its own (it needs only rich), or None when pip cannot get it
    (the row then says so)."""
    with tempfile.TemporaryDirectory(prefix="mlf-bench-tds-") as folder:
        made = subprocess.run([sys.executable, "-m", "venv", folder], capture_output=True)
        if made.returncode == 0:
            made = subprocess.run([str(Path(folder, "bin", "pip")), "install", "--quiet", TORCHDETSCAN],
                                  capture_output=True)
        script = Path(folder, "bin", "torchdetscan")
        yield str(script) if made.returncode == 0 and script.exists() else None
