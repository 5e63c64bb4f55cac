#!/usr/bin/env bash
# Installs, with apt-get, every Debian 12 package that inferd's build, tests and examples need, then
# configures and builds. Idempotent: when everything is installed and built it does nothing but say so.
#
#   scripts/setup.sh            packages + build (build/)
#   scripts/setup.sh --packages-only
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"
# ccache hits across clones and worktrees that sit side by side (paths relative to their parent).
source "$repo_root/scripts/ccache-env.sh"

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config curl
  # serving core
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libspdlog-dev libfmt-dev prometheus-cpp-dev flatbuffers-compiler libflatbuffers-dev libeigen3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev prometheus
  # sanitizer builds and libFuzzer (scripts/sanitizers.sh, scripts/fuzz.sh): clang 14, its runtime
  # libraries (libclang_rt.asan/tsan/ubsan/fuzzer) and llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # Python tools and interop tests run on Debian's own interpreter
  python3 python3-numpy python3-sklearn python3-grpcio python3-protobuf
  # target agent firmware (Cortex-M55) and its QEMU end-to-end test
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
  # aarch64 cross build of the kernel tests under QEMU; XNNPACK baseline of the kernel benchmarks
  g++-aarch64-linux-gnu qemu-user libxnnpack-dev libpthreadpool-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ "${1:-}" == "--packages-only" ]] && exit 0

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# Two jobs by default: the generated gRPC code is heavy and the reference machine has 2 cores.
if ! cmake --build "$build_dir" -- -j "${INFERD_BUILD_JOBS:-2}" >"$build_dir/build.log" 2>&1; then
  grep -E -A5 'error|FAILED' "$build_dir/build.log" | head -60 >&2
  echo "setup: the build failed; the whole log is $build_dir/build.log" >&2
  exit 1
fi
echo "setup: inferd built in $build_dir"
