"""The mlfcore wheel the base image installs: the runtime (`mlf`) without the host side (`mlf-scaffold`).

The project is one distribution with two import packages; the images must not carry mlfcore.scaffold (it builds,
publishes and provisions engines: nothing a container needs). pip builds the wheel of the checkout, then this module
rewrites it without mlfcore/scaffold/ and without the mlf-scaffold console script, and records every remaining
file's hash in RECORD again (the wheel format, PEP 427 / packaging.python.org "Binary distribution format"), so pip
installs it with its usual checks. Entries keep the fixed timestamp pip gave them (SOURCE_DATE_EPOCH): the same
code gives the same bytes, and the image's layer stays cached.

The wheel is built from a copy of the checkout's files (those git tracks, and untracked ones it does not ignore),
with modes 0644 or 0755: setuptools builds in the source tree's build/lib and packs whatever it finds there, so a
module deleted or moved since an earlier build would ride along, and the checkout's umask would set the entries'
modes. The same code then gives the same wheel in any checkout on any machine.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from mlfcore.entrypoint.files import atomic_write
from mlfcore.scaffold.source import copy_tree
from mlfcore.scaffold.images import table

# A fixed timestamp for the mlfcore wheel, so the same code gives the same wheel and the layer stays cached.
SOURCE_DATE_EPOCH = "315532800"
HOST_ONLY = "mlfcore/scaffold/"
HOST_SCRIPT = "mlf-scaffold"


class WheelError(Exception):
    """pip could not build the wheel; the message is the one line the user sees."""


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _without_host_script(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if line.partition("=")[0].strip() != HOST_SCRIPT)


def strip(wheel: Path) -> None:
    """Rewrite WHEEL in place without the host-side package and script; RECORD lists what is left, hashed."""
    with zipfile.ZipFile(wheel) as source:
        entries = [(info, source.read(info)) for info in source.infolist()
                   if not info.filename.startswith(HOST_ONLY)]
    record_name = next(info.filename for info, _ in entries if info.filename.endswith(".dist-info/RECORD"))
    rows, kept = [], []
    for info, data in entries:
        if info.filename.endswith(".dist-info/entry_points.txt"):
            data = _without_host_script(data.decode()).encode()
        if info.filename != record_name:
            rows.append([info.filename, _record_hash(data), str(len(data))])
            kept.append((info, data))
    record = io.StringIO()
    csv.writer(record, lineterminator="\n").writerows([*rows, [record_name, "", ""]])
    record_info = next(info for info, _ in entries if info.filename == record_name)
    def write(scratch: Path) -> None:
        with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as target:
            for info, data in [*kept, (record_info, record.getvalue().encode())]:
                target.writestr(info, data)

    atomic_write(wheel, write)


def build(dist: Path) -> Path:
    """Build the runtime wheel of this checkout into DIST (no download: the running interpreter's setuptools)."""
    dist.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    with tempfile.TemporaryDirectory(prefix="mlfcore-wheel-") as scratch:
        copy_tree(table.ROOT, Path(scratch))
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                                 "--wheel-dir", str(dist), scratch], capture_output=True, text=True, env=env)
    wheels = sorted(dist.glob("mlfcore-*.whl"))
    if result.returncode != 0 or not wheels:
        sys.stderr.write(result.stderr)
        raise WheelError("building the mlfcore wheel failed (pip's output is above): run `make venv` and retry")
    strip(wheels[-1])
    return wheels[-1]
