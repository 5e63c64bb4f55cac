#!/usr/bin/env bash
# README command (2) and CI's (.ci/run): set up, build, and run every test — unit, integration (real
# daemon on loopback, real Prometheus), Python interop, tools, and the TOSA conformance runner over
# ../shared when present — then the same unit and integration tests under ASan+UBSan, the engine and
# pool tests under TSan, and a short run of every libFuzzer target (docs/testing.md).
#
# After the tests of build/, the Debian package is installed into a fresh Debian 12 root and the
# container images (the default and runtime-lavapipe) are built and run (deploy/debian/test-deb.sh,
# deploy/docker/test-image.sh).
#
# Local switches (ignored when CI=true, where everything runs):
#   INFERD_SKIP_ASAN=1  INFERD_SKIP_TSAN=1  INFERD_SKIP_FUZZ=1  INFERD_SKIP_SANITIZERS=1 (all three)
#   INFERD_SKIP_IMAGE=1 (the container images: their build stage compiles the daemon again)
#   INFERD_CI_FUZZ_SECONDS  seconds per fuzz target (default 20)
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/scripts/ccache-env.sh"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"

if [[ "${CI:-}" == "true" ]]; then
  for switch in INFERD_SKIP_ASAN INFERD_SKIP_TSAN INFERD_SKIP_FUZZ INFERD_SKIP_SANITIZERS \
    INFERD_SKIP_IMAGE; do
    [[ -n "${!switch:-}" ]] && echo "test: CI=true, $switch ignored: CI runs everything"
    unset "$switch"
  done
fi
skipped() {  # part switch
  [[ -n "${INFERD_SKIP_SANITIZERS:-}" && "$1" != fuzz && "$1" != image ]] || [[ -n "${!2:-}" ]]
}

results=()
failed=0
part() {  # title command...
  local title="$1"
  shift
  echo
  echo "=============================================================================="
  echo "== $title"
  echo "=============================================================================="
  local start=$SECONDS
  if "$@"; then
    results+=("$(printf 'passed  %5ds  %s' $((SECONDS - start)) "$title")")
  else
    results+=("$(printf 'FAILED  %5ds  %s' $((SECONDS - start)) "$title")")
    failed=1
  fi
}
skip() {  # title switch
  local switch="$2"
  [[ -n "${!switch:-}" ]] || switch=INFERD_SKIP_SANITIZERS
  results+=("$(printf 'skipped        %s (%s set)' "$1" "$switch")")
}

main_tests() {
  "$repo_root/scripts/setup.sh" && (cd "$build_dir" && ctest --output-on-failure -j 2 --timeout 600)
}
part "build/ (RelWithDebInfo, g++): every test" main_tests
part "deploy/debian: the .deb installed with apt-get into a fresh Debian 12, its daemon run" \
  "$repo_root/deploy/debian/test-deb.sh"
if skipped image INFERD_SKIP_IMAGE; then skip "container image" INFERD_SKIP_IMAGE; else
  part "deploy/docker: both images built with buildah from the Dockerfile and run with podman" \
    "$repo_root/deploy/docker/test-image.sh"
fi
if skipped asan INFERD_SKIP_ASAN; then skip "ASan+UBSan" INFERD_SKIP_ASAN; else
  part "build-asan/ (clang, ASan+UBSan): unit and integration tests" "$repo_root/scripts/sanitizers.sh" asan
fi
if skipped tsan INFERD_SKIP_TSAN; then skip "TSan" INFERD_SKIP_TSAN; else
  part "build-tsan/ (clang, TSan): engine, target pool and thread pool tests" \
    "$repo_root/scripts/sanitizers.sh" tsan
fi
if skipped fuzz INFERD_SKIP_FUZZ; then skip "fuzzing" INFERD_SKIP_FUZZ; else
  part "build-asan/ (libFuzzer): ${INFERD_CI_FUZZ_SECONDS:-20}s per fuzz target" \
    "$repo_root/scripts/fuzz.sh" --seconds "${INFERD_CI_FUZZ_SECONDS:-20}"
fi

echo
echo "=============================================================================="
echo "== summary"
echo "=============================================================================="
printf '%s\n' "${results[@]}"
exit $failed
