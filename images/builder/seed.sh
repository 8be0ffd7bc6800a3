#!/usr/bin/env bash
# A Debian bookworm image to build the builder FROM, on a machine that has none and reaches no registry (a fresh
# CI machine): debootstrap on the host, imported as TAG. Only the builder starts FROM it, and apt replaces the tools
# that matter by their locked versions there, so its own bytes do not matter. Usage: seed.sh TAG [MIRROR]
set -euo pipefail
tag=$1
mirror=${2:-}
if [[ -z $mirror ]]; then
    # The mirror apt already uses (deb822 or one-line sources), so a proxy-only machine keeps working.
    mirror=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
             | head -n1 | tr -d ' ' || true)
    mirror=${mirror:-http://deb.debian.org/debian}
fi
command -v debootstrap >/dev/null || { echo "error: debootstrap not found: apt-get install -y debootstrap" >&2; exit 2; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 5 "$root.log" >&2; echo "error: debootstrap from $mirror failed (log above)" >&2; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" --numeric-owner -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
echo "$tag"
