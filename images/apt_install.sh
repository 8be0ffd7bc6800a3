#!/usr/bin/env bash
# Install exactly the Debian packages of a lock and prove it: run in the images' apt step (images/base/Dockerfile,
# images/framework.Dockerfile), bind-mounted with the lock for that RUN only, and in the builder's (images/builder/).
# Usage: apt_install.sh LOCK SOURCES_DIR NAME (NAME: the lock as the messages call it)
#
# LOCK is written by `make lock` (mlfcore.scaffold.images.debian_lock): [os], the packages the OS base has;
# [install], what apt adds, dependencies included, each as name=version. SOURCES_DIR holds debian.sources when
# the build takes its packages from Debian's snapshot archive (DEBIAN_SNAPSHOT); empty, the image's own sources are
# used. Either way the same versions are installed, so the snapshot leaves no trace in the image.
#
# A version the mirror no longer has stops the build before anything is installed, with one line that names the
# package and the fix. After the install, dpkg's whole set must equal the lock's (with an [os] section; without one,
# each locked package must be installed at its version), or the build stops naming the first difference (an OS
# base other than the one `make os-base` makes, a lock older than the request).
set -euo pipefail
lock=$1
sources_dir=$2
name=$3
where="the mirror"
options=()
if [[ -s $sources_dir/debian.sources ]]; then
    # Only the snapshot's sources; its Release files are past their Valid-Until (snapshot.debian.org's own advice).
    options=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$sources_dir"
             -o "Acquire::Check-Valid-Until=false")
    where="Debian's snapshot archive ($(awk '/^URIs:/ {print $2; exit}' "$sources_dir/debian.sources"))"
fi
section() { sed -n "/^\[$1\]\$/,/^\[/{/^[a-z0-9]/p}" "$lock"; }
resolved=$(awk '/^# resolved: / {print $3; exit}' "$lock")
mapfile -t install < <(section install)

# --error-on=any: apt-get update otherwise exits 0 when a source does not answer (measured: the snapshot archive
# unreachable gave exit 0 and "Some index files failed to download"), and the versions would look gone.
if ! apt-get "${options[@]}" update -qq --error-on=any; then
    echo "error: the Debian packages of $name could not be fetched: \`apt-get update\` from $where failed (its" \
         "output is above)" >&2
    exit 1
fi
for pin in "${install[@]}"; do
    if ! apt-cache "${options[@]}" madison "${pin%%=*}" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "${pin#*=}"; then
        echo "error: Debian package $pin ($name) is not on $where: rebuild with" \
             "DEBIAN_SNAPSHOT=$resolved (Debian's snapshot archive at the lock's time), or run \`make lock\`" >&2
        exit 1
    fi
done
DEBIAN_FRONTEND=noninteractive apt-get "${options[@]}" install -y -qq --no-install-recommends --allow-downgrades \
    "${install[@]}" >/dev/null

# The lock's whole set (the OS base's packages, as apt changed them, and apt's) against what dpkg has now.
expected=$( { section os; section install; } | awk -F= '{version[$1] = $0} END {for (n in version) print version[n]}' | sort)
if [[ -n $(section os) ]]; then
    installed=$(dpkg-query -W -f '${db:Status-Abbrev}${Package}=${Version}\n' | awk '/^ii/ {print substr($0, 4)}' | sort)
else
    # No [os] section (the builder's lock): the locked packages' installed versions only.
    installed=$(dpkg-query -W -f '${Package}=${Version}\n' "${install[@]%%=*}" 2>/dev/null | sort)
fi
if [[ $expected != "$installed" ]]; then
    first=$(diff <(echo "$expected") <(echo "$installed") | grep -m1 '^[<>]' | sed 's/^</lock:/; s/^>/image:/')
    echo "error: the Debian packages differ from $name ($first): build FROM the OS base \`make os-base\`" \
         "makes, or run \`make lock\`" >&2
    exit 1
fi
# What records the build's time or host: apt's and dpkg's logs, ldconfig's cache of file times; apt's lists.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /var/log/alternatives.log \
    /var/cache/ldconfig/aux-cache
