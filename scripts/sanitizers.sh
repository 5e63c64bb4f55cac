#!/usr/bin/env bash
# Builds and runs the tests under sanitizers (docs/testing.md):
#   asan  every unit and integration test, the daemon included, with ASan+UBSan (build-asan/; the same
#         tree builds the libFuzzer targets that scripts/fuzz.sh runs)
#   tsan  the engine folder's tests and the target pool and thread pool tests with TSan (build-tsan/)
#
#   scripts/sanitizers.sh [asan|tsan|all] [--configure-only|--build-only|--no-build]
#
# Both builds use clang at -O1 with line tables only (enough for symbolized reports, cheap to compile),
# no benchmarks and no cross toolchains (the firmware image and the aarch64 kernel tests are not built;
# their QEMU tests report SKIP). Left out of the ASan run, by ctest label (tests/CMakeLists.txt says
# why): `no_asan` (the kernel test folders, tests/conformance, tests/tools), `conformance_shared` (the
# shared conformance set through the CPU backend) and `tools` (Python only; ctest keeps a test's own
# labels, not its folder's, when it has both).
# Environment: INFERD_ASAN_BUILD_DIR, INFERD_TSAN_BUILD_DIR, INFERD_BUILD_JOBS (default 2),
# INFERD_SANITIZER_CTEST_JOBS (default 2).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/scripts/ccache-env.sh"
asan_dir="${INFERD_ASAN_BUILD_DIR:-$repo_root/build-asan}"
tsan_dir="${INFERD_TSAN_BUILD_DIR:-$repo_root/build-tsan}"
jobs="${INFERD_BUILD_JOBS:-2}"
ctest_jobs="${INFERD_SANITIZER_CTEST_JOBS:-2}"
suppressions="$repo_root/tests/sanitizers"

which="${1:-all}"
mode="${2:-run}"
case "$which" in asan | tsan | all) ;; *)
  echo "usage: $0 [asan|tsan|all] [--configure-only|--build-only|--no-build]" >&2
  exit 2
  ;;
esac

# Sanitizer options, inherited by every test and by the daemons the integration tests start: the first
# report ends the process with a non-zero status, so the test that caused it fails.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:report_error_type=1"
export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$suppressions/tsan.supp:print_suppressions=0"
if [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
  export TSAN_OPTIONS="$TSAN_OPTIONS:external_symbolizer_path=$ASAN_SYMBOLIZER_PATH"
fi

configure() {  # build_dir sanitizers [extra cmake args...]
  local dir="$1" sanitize="$2"
  shift 2
  [[ -f "$dir/build.ninja" ]] && return 0
  local flags="-O1 -gline-tables-only -DNDEBUG"
  mkdir -p "$dir"
  CC=clang CXX=clang++ cmake -S "$repo_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
    -DINFERD_BUILD_BENCHMARKS=OFF -DINFERD_SANITIZE="$sanitize" \
    -DINFERD_ARM_GCC=INFERD_ARM_GCC-NOTFOUND -DINFERD_AARCH64_CXX=INFERD_AARCH64_CXX-NOTFOUND \
    "$@" >"$dir/configure.log" 2>&1 || {
    cat "$dir/configure.log" >&2
    return 1
  }
}

build() {  # build_dir target
  local dir="$1" target="$2"
  [[ "$mode" == "--no-build" ]] && return 0
  if ! ninja -C "$dir" -j "$jobs" "$target" >"$dir/build.log" 2>&1; then
    grep -E -A12 'error|FAILED' "$dir/build.log" | head -80 >&2
    echo "sanitizers: the build of $target failed; the whole log is $dir/build.log" >&2
    return 1
  fi
}

run_asan() {
  configure "$asan_dir" address,undefined -DINFERD_FUZZ=ON
  [[ "$mode" == "--configure-only" ]] && return 0
  build "$asan_dir" inferd_asan_tests
  [[ "$mode" == "--build-only" ]] && return 0
  (cd "$asan_dir" && ctest --output-on-failure --no-tests=error -j "$ctest_jobs" --timeout 900 \
    -LE 'no_asan|conformance_shared|^tools$')
}

run_tsan() {
  configure "$tsan_dir" thread
  [[ "$mode" == "--configure-only" ]] && return 0
  build "$tsan_dir" inferd_tsan_tests
  [[ "$mode" == "--build-only" ]] && return 0
  # Two selections: the engine folder by label, the pools by test name (their executables hold other
  # tests too). Only the executables of inferd_tsan_tests are built, so nothing else may be selected.
  (cd "$tsan_dir" && ctest --output-on-failure --no-tests=error -j "$ctest_jobs" --timeout 900 -L '^tsan$' &&
    ctest --output-on-failure --no-tests=error -j "$ctest_jobs" --timeout 900 -R '^(TargetPoolTest|ThreadPoolTest)\.')
}

status=0
if [[ "$which" == asan || "$which" == all ]]; then run_asan || status=1; fi
if [[ "$which" == tsan || "$which" == all ]]; then run_tsan || status=1; fi
exit $status
