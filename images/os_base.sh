#!/usr/bin/env bash
# Bootstrap the Debian bookworm OS base from Debian packages and import it as a Docker image, for machines that
# reach no container registry (this project's own CI). Usage: images/os_base.sh [TAG] [MIRROR] [ARCH]
# ARCH is Debian's name (amd64, arm64; default: this machine's); a foreign one runs debootstrap's second stage
# through qemu-user-static and binfmt_misc, and the image records that architecture.
set -euo pipefail
tag=${1:-local/debian:bookworm}
mirror=${2:-}
arch=${3:-$(dpkg --print-architecture)}
if [[ -z $mirror ]]; then
    # The mirror apt already uses (deb822 or one-line sources), so a proxy-only machine keeps working.
    mirror=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
             | head -n1 | tr -d ' ' || true)
    mirror=${mirror:-http://deb.debian.org/debian}
fi
command -v debootstrap >/dev/null || { echo "error: debootstrap not found: apt-get install -y debootstrap" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "error: no Docker engine answers: start dockerd (see .ci/run)" >&2; exit 2; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --arch="$arch" bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 5 "$root.log" >&2; echo "error: debootstrap from $mirror failed (log above)" >&2; exit 1; }
rm -f "$root.log"
# apt's lists and caches are not part of an OS base (the slim image ships without them too).
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" --numeric-owner -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
if [[ $arch != "$(dpkg --print-architecture)" ]]; then
    # docker import records the engine's architecture (its --platform needs an experimental daemon: measured with
    # docker 20.10), so a foreign image would claim amd64. Rewrite the image config's architecture in a
    # `docker save` archive and load it back, so `docker build --platform linux/$arch` finds it.
    docker save "$tag" | python3 -c '
import hashlib, io, json, sys, tarfile
arch = sys.argv[1]
source = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()))
files = {member.name: source.extractfile(member).read() for member in source if member.isfile()}
manifest = json.loads(files["manifest.json"])
config = json.loads(files.pop(manifest[0]["Config"]))
config["architecture"] = arch
config.pop("variant", None)
if arch == "arm64":
    config["variant"] = "v8"
data = json.dumps(config, separators=(",", ":")).encode()
manifest[0]["Config"] = hashlib.sha256(data).hexdigest() + ".json"
files[manifest[0]["Config"]] = data
files["manifest.json"] = json.dumps(manifest).encode()
out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
for name, body in files.items():
    info = tarfile.TarInfo(name)
    info.size = len(body)
    out.addfile(info, io.BytesIO(body))
out.close()
' "$arch" | docker load >/dev/null
fi
echo "$tag"
