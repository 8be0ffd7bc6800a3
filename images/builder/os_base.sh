#!/usr/bin/env bash
# Bootstrap the OS base with debuerreotype, inside the builder (mlfcore.scaffold.images.os_base runs it; `make
# os-base`). Usage: os_base.sh SUITE MIRROR ARCH OUT
#
# debuerreotype is how Debian's official images are made bit for bit from the same packages: it fixes the epoch (the
# suite's Release date), clamps every file's time to it, empties machine-id, drops logs and caches, and writes the
# tarball sorted with numeric owners. MIRROR is Debian's mirror or a snapshot of it (DEBIAN_SNAPSHOT): both give the
# same tarball for the same packages, since the suite's Release date is the epoch either way and the image's apt
# sources are OUT/debian.sources (the canonical mirrors, written by the caller), never MIRROR.
#
# Writes OUT/rootfs.tar, OUT/packages (name=version, sorted) and OUT/epoch; the caller checks the packages against
# images/base/debian.lock before anything is tagged.
set -euo pipefail
suite=$1
mirror=$2
arch=$3
out=$4
root=$(mktemp -d)/rootfs
debuerreotype-init --non-debian --arch "$arch" "$root" "$suite" "$mirror" >"$out/init.log" 2>&1 \
    || { tail -n 20 "$out/init.log" >&2; echo "error: debuerreotype-init from $mirror failed (log above)" >&2; exit 1; }
rm -f "$out/init.log"
# The configuration Debian's images have for containers (no documentation caches, apt's gzipped indexes, ...).
debuerreotype-minimizing-config "$root"
rm -f "$root/etc/apt/sources.list"
install -m 0644 "$out/debian.sources" "$root/etc/apt/sources.list.d/debian.sources"
debuerreotype-chroot "$root" dpkg-query -W -f '${Package}=${Version}\n' | sort >"$out/packages"
debuerreotype-tar "$root" "$out/rootfs.tar"
cp "$root/debuerreotype-epoch" "$out/epoch"
debuerreotype-version >"$out/version"
