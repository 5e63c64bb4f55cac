#!/usr/bin/env bash
# Puts a fresh Debian 12 (bookworm) minbase root file system in DIR: what the .deb test installs the
# package into and what the container test imports as its base images (no registry is reachable where
# CI runs). debootstrap runs once per build tree; later calls copy its result.
#
#   deploy/debian/bookworm-rootfs.sh DIR        (as root; INFERD_DEBIAN_MIRROR overrides the mirror)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"
target="${1:?usage: bookworm-rootfs.sh DIR}"
mirror="${INFERD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
pristine="$build_dir/deploy/bookworm-minbase"

if [[ ! -f "$pristine/etc/debian_version" ]]; then
  mkdir -p "$build_dir/deploy"
  log="$build_dir/deploy/debootstrap.log"
  echo "bookworm-rootfs: debootstrap --variant=minbase bookworm from $mirror (a few minutes; log: $log)"
  rm -rf "$pristine.partial"
  if ! debootstrap --variant=minbase bookworm "$pristine.partial" "$mirror" >"$log" 2>&1; then
    tail -20 "$log" >&2
    exit 1
  fi
  # apt's package lists are fetched again by whoever uses the copy.
  rm -rf "$pristine.partial"/var/lib/apt/lists/* "$pristine.partial"/var/cache/apt/archives/*.deb
  mv "$pristine.partial" "$pristine"
fi
mkdir -p "$target"
cp -a "$pristine/." "$target/"
