#!/usr/bin/env bash
# README command (1): set up, build, and serve the bundled example repository with embedded defaults
# (gRPC on 8001, metrics on 8002). Extra arguments go to inferd.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo_root/scripts/setup.sh"
cd "$repo_root"
exec "${INFERD_BUILD_DIR:-$repo_root/build}/server/inferd" "$@"
