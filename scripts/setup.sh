#!/usr/bin/env bash
# Installs, with apt-get, every Debian 12 package that inferd's build, tests and examples need, then
# configures and builds. Idempotent: when everything is installed and built it does nothing but say so.
#
#   scripts/setup.sh            packages + build (build/)
#   scripts/setup.sh --packages-only
#   scripts/setup.sh --build-packages-only   only what building the daemon needs (the image's build stage)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"
# ccache hits across clones and worktrees that sit side by side (paths relative to their parent).
source "$repo_root/scripts/ccache-env.sh"

build_packages=(
  # toolchain; `file` lets CPack find the .deb's library dependencies
  build-essential cmake ninja-build ccache pkg-config curl file
  # serving core
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libspdlog-dev libfmt-dev prometheus-cpp-dev flatbuffers-compiler libflatbuffers-dev libeigen3-dev
  # the tosa_vulkan backend: Vulkan loader and headers, glslc for the shaders, glslang (and the
  # SPIRV-Tools it links; its CMake package wants glslang-tools) for the GLSL compute segments of
  # VGF models, compiled at load
  libvulkan-dev glslc glslang-dev glslang-tools spirv-tools
  # HTTP/REST endpoint (docs/http.md): civetweb (also prometheus-cpp's) and nlohmann/json
  libcivetweb-dev nlohmann-json3-dev
  # TLS: the daemon checks certificates and keys with OpenSSL (gRPC's own TLS library on Debian)
  libssl-dev
)
packages=(
  "${build_packages[@]}"
  # tests and benchmarks; `openssl` makes the TLS tests' certificates; Mesa's lavapipe so that every
  # machine has a Vulkan device for the tosa_vulkan tests (a GPU's own driver is found beside it)
  libgtest-dev libgmock-dev libbenchmark-dev prometheus openssl mesa-vulkan-drivers
  # the HTTP/REST tests' client
  libcurl4-openssl-dev
  # sanitizer builds and libFuzzer (scripts/sanitizers.sh, scripts/fuzz.sh): clang 14, its runtime
  # libraries (libclang_rt.asan/tsan/ubsan/fuzzer) and llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # Python tools and interop tests run on Debian's own interpreter
  python3 python3-numpy python3-sklearn python3-grpcio python3-protobuf
  # the scaling report's plots (benchmarks/scaling/scaling_report.py, the benchmarks.scaling_smoke test)
  python3-matplotlib
  # instructions per request of the serving path (benchmarks/serving_callgrind.sh)
  valgrind
  # target agent firmware (Cortex-M55) and its QEMU end-to-end test
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
  # aarch64 cross build of the kernel tests under QEMU; XNNPACK baseline of the kernel benchmarks
  g++-aarch64-linux-gnu qemu-user libxnnpack-dev libpthreadpool-dev
  # deploy/ tests: manifests read with python3-yaml, the unit checked by systemd-analyze, the .deb
  # installed into a debootstrapped Debian 12, the image built and run with buildah and podman
  python3-yaml systemd debootstrap buildah podman runc
)
# `kubectl kustomize` renders the Kubernetes manifests. Debian's kubectl is kubernetes-client; a
# kubectl installed from elsewhere (Google's `kubectl` package conflicts with it) serves as well.
command -v kubectl >/dev/null || packages+=(kubernetes-client)
[[ "${1:-}" == "--build-packages-only" ]] && packages=("${build_packages[@]}")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

mkdir -p "$build_dir"
if ((${#missing[@]} > 0)); then
  apt_log="$build_dir/setup-apt.log"
  echo "setup: installing ${#missing[@]} Debian packages with apt-get: ${missing[*]}"
  echo "setup: on a fresh Debian 12 that is several minutes, depending on the mirror; apt-get's" \
    "output goes to $apt_log"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -20 "$apt_log" >&2
    echo "setup: apt-get failed; the whole log is $apt_log" >&2
    exit 1
  fi
  echo "setup: packages installed"
fi

[[ "${1:-}" == "--packages-only" || "${1:-}" == "--build-packages-only" ]] && exit 0

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi

# Writes the build's output to the log and shows ninja's step count: on a terminal as one line that
# updates in place, elsewhere (CI logs) a line every tenth of the way. The firmware and aarch64
# sub-builds print their own, smaller step counts in between; only the largest count is followed.
show_progress() {  # log
  local line shown_tenth=-1 step total largest_total=0
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$1"
    [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    step=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
    ((total >= largest_total)) || continue
    ((total == largest_total)) || { largest_total=$total; shown_tenth=-1; }
    if [[ -t 1 ]]; then
      printf '\rsetup: building, step %d of %d' "$step" "$total"
    elif ((step * 10 / total != shown_tenth)); then
      shown_tenth=$((step * 10 / total))
      echo "setup: building, step $step of $total"
    fi
  done
  [[ -t 1 ]] && echo
  return 0
}

: >"$build_dir/build.log"
# (A dry run says whether there is anything to build; its status does not matter, grep stops early.)
if [[ -n "$(ninja -C "$build_dir" -n 2>/dev/null | grep -m1 '^\[')" ]]; then
  echo "setup: building inferd in $build_dir with ${INFERD_BUILD_JOBS:-2} jobs; the first build compiles" \
    "456 steps, about 14 minutes on 2 cores from a cold ccache, later builds only what" \
    "changed; the compiler's output goes to $build_dir/build.log"
fi
# Two jobs by default: the generated gRPC code is heavy and the reference machine has 2 cores.
if ! cmake --build "$build_dir" -- -j "${INFERD_BUILD_JOBS:-2}" 2>&1 | show_progress "$build_dir/build.log"; then
  grep -E -A5 'error|FAILED' "$build_dir/build.log" | head -60 >&2
  echo "setup: the build failed; the whole log is $build_dir/build.log" >&2
  exit 1
fi
echo "setup: inferd built in $build_dir"
