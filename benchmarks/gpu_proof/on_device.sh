#!/usr/bin/env bash
# The GPU proof on a bare GPU machine: no network, its own python3 with a CUDA build of torch, this tree and the
# wheels `python -m benchmarks.gpu_proof.wheels` put in .gpu-wheels/ beside it. Run from anywhere:
#
#     bash benchmarks/gpu_proof/on_device.sh [the proof's options, e.g. --commit SHA, or --parts bench --quick]
#
# It makes a venv that sees python3's own packages (torch among them), installs the carried wheels into it and
# mlfcore with `pip install --no-deps -e .`, and runs `python -m benchmarks.gpu_proof` with the options given.
# Exit: the proof's, or 2 when the setup fails.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
venv=/tmp/mlf-gpu-proof-venv
say() { echo "on_device: $*" >&2; }

if ! ls .gpu-wheels/*.whl >/dev/null 2>&1; then
  say "no wheels in .gpu-wheels/: run 'python -m benchmarks.gpu_proof.wheels' where pip reaches PyPI, and carry it"
  exit 2
fi
# `python3 -m venv --system-site-packages` from a Python that is itself a venv (the GPU image's python3 is one)
# sees the *base* interpreter's packages, not that venv's: measured here, a package installed in venv A was not
# importable from a venv B made by A's python with --system-site-packages. So B gets a .pth that adds python3's
# own site directories (after B's own, which win: the carried wheels come first, the machine's torch after).
pip=("$venv/bin/python" -m pip)
if ! python3 -m venv --clear "$venv"; then
  # A Python without ensurepip (Debian's and Ubuntu's ship it apart) makes no pip in a venv: python3's own pip
  # installs into it instead (pip's --python, since pip 22.3).
  say "python3 -m venv made no pip: a venv without one, filled by python3's own pip"
  python3 -m venv --clear --without-pip "$venv" || { say "python3 -m venv failed"; exit 2; }
  pip=(python3 -m pip --python "$venv/bin/python")
fi
site_dirs=$(python3 -c 'import site; print("\n".join(site.getsitepackages()))') || exit 2
venv_site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') || exit 2
while IFS= read -r dir; do
  [ -n "$dir" ] && echo "import site; site.addsitedir('$dir')"
done <<<"$site_dirs" >"$venv_site/zz-machine-site.pth"
say "venv $venv sees: $(tr '\n' ' ' <<<"$site_dirs")"
"${pip[@]}" install -q --no-index --no-deps --no-compile --disable-pip-version-check .gpu-wheels/*.whl \
  || { say "installing the carried wheels failed"; exit 2; }
"${pip[@]}" install -q --no-index --no-deps --no-build-isolation --disable-pip-version-check -e . \
  || { say "pip install --no-deps -e . failed"; exit 2; }

# With $OUT (the device tool's folder of files that come back), the report is written there as the proof goes, so
# a call stopped at its time limit still returns what was measured; docs/GPU.md and docs/GPU.json of this tree are
# copied there first, so the proof keeps their other parts and the hand-written analysis.
output=()
if [ -n "${OUT:-}" ]; then
  cp docs/GPU.md "$OUT"/ && { [ ! -f docs/GPU.json ] || cp docs/GPU.json "$OUT"/; } || exit 2
  output=(--output "$OUT/GPU.md")
fi
PYTHONUNBUFFERED=1 exec "$venv/bin/python" -m benchmarks.gpu_proof ${output[@]+"${output[@]}"} "$@"
