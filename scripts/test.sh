#!/usr/bin/env bash
# README command (2): set up, build, and run every test — unit, integration (real daemon on loopback,
# real Prometheus), Python interop, tools, and the TOSA conformance runner over ../shared when present.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo_root/scripts/setup.sh"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"
cd "$build_dir"
ctest --output-on-failure -j 2 --timeout 600
