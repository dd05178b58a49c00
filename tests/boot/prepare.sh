#!/usr/bin/env bash
# Prepares the boot test: builds the .deb from a build directory with cpack, and makes sure
# a minimal Debian 12 root file system with everything the package and the sandbox need is
# cached. The rootfs is built once with mmdebstrap (about a minute, from the Debian mirror)
# under /var/cache/kokola-boot-test/KEY, where KEY hashes the recipe and the package list:
# a new dependency makes a new rootfs, and older ones are removed. Run as root.
#
#   tests/boot/prepare.sh BUILD_DIR     prints "DEB=..." and "ROOTFS=..."
set -euo pipefail

build=$(cd "${1:?usage: prepare.sh BUILD_DIR}" && pwd)
cache=${KOKOLA_BOOT_CACHE:-/var/cache/kokola-boot-test}
recipe="boot-rootfs-v1 bookworm minbase"
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security

log() { echo "boot/prepare: $*" >&2; }

# The package itself, from what the build directory holds now.
(cd "$build" && cpack -G DEB -B "$build/deb" >"$build/deb-cpack.log" 2>&1) || {
  cat "$build/deb-cpack.log" >&2
  exit 1
}
deb=$(ls -t "$build"/deb/kokola-sync_*.deb | head -1)

# Package names from a Depends line: first alternative, no versions.
names() { tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^$' || true; }

# The libraries the sandbox (not packaged, but run inside the container) needs.
sandbox_depends() {
  local tmp
  tmp=$(mktemp -d)
  mkdir "$tmp/debian"
  printf 'Source: kokola-boot\n\nPackage: kokola-boot\nArchitecture: any\n' >"$tmp/debian/control"
  (cd "$tmp" && dpkg-shlibdeps -O -e "$build/kokola-sandbox" 2>/dev/null) |
    sed -n 's/^shlibs:Depends=//p'
  rm -rf "$tmp"
}

includes=$({
  printf '%s\n' systemd systemd-sysv dbus passwd ca-certificates sqlite3
  dpkg-deb -f "$deb" Depends | names
  sandbox_depends | names
} | sort -u | paste -sd, -)
key=$(printf '%s\n%s\n' "$recipe" "$includes" | sha256sum | cut -c1-16)
rootfs=$cache/$key/rootfs

if [ ! -e "$cache/$key/complete" ]; then
  log "building a Debian 12 rootfs in $rootfs (once; packages: $includes)"
  mkdir -p "$cache"
  find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  rm -rf "$cache/$key"
  mkdir -p "$cache/$key"
  mmdebstrap --quiet --variant=minbase --include="$includes" \
    --aptopt='Acquire::Retries "3"' bookworm "$rootfs" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main" >&2
  touch "$cache/$key/complete"
fi

echo "DEB=$deb"
echo "ROOTFS=$rootfs"
