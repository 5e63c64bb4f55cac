#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile, as it is, with buildah and runs its two images with podman, as CI
# does (scripts/test.sh): no Docker daemon and no image registry. The base images debian:12 and
# debian:12-slim are made here from a debootstrapped Debian 12 (deploy/debian/bookworm-rootfs.sh).
# The default image: the held-out digits through the host's inferctl, /metrics, the HEALTHCHECK's
# command, the process's user (not root) and read-only root file system, the GPU model refused for
# want of a Vulkan driver, and SIGTERM: exit status 0 within the grace period. The runtime-lavapipe
# image (built second, reusing the first build's layers): the GPU model on lavapipe, its scores equal
# to the CPU model's, its device in /metrics, and the same stop. Prints build times and image sizes.
#
#   deploy/docker/test-image.sh      (as root; INFERD_BUILD_JOBS compile jobs in the build stage, 2)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"
image=localhost/inferd:test
lavapipe_image=localhost/inferd:test-lavapipe
grace_seconds=45  # longer than the daemon's --exit-timeout-secs (30), as in compose.yaml

fail() {
  echo "test-image: FAILED: $*" >&2
  exit 1
}
if [[ $(id -u) -ne 0 ]]; then
  echo "test-image: SKIPPED: buildah and podman run here as root (CI runs as root)"
  exit 0
fi
for tool in buildah podman runc debootstrap; do
  command -v "$tool" >/dev/null || fail "$tool missing; scripts/setup.sh installs it"
done
mkdir -p "$build_dir/deploy"

# podman's defaults ask for more open files and processes than this machine's hard limits allow,
# and crun refuses its hybrid cgroups: runc, cgroupfs, and limits at or below the hard ones.
export CONTAINERS_CONF="$build_dir/deploy/containers.conf"
nproc_limit=$(ulimit -Hu)
[[ "$nproc_limit" == unlimited || "$nproc_limit" -gt 32000 ]] && nproc_limit=32000
cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$nproc_limit:$nproc_limit"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
CONF
podman_run=(podman --cgroup-manager=cgroupfs --runtime runc)

# Base images, made once: debian:12 is the minbase root as debootstrap leaves it; debian:12-slim
# drops documentation, manuals and locales, and keeps apt from installing them, as Debian's slim does.
if ! podman image exists docker.io/library/debian:12-slim; then
  rootfs="$(mktemp -d /var/tmp/inferd-image-rootfs.XXXXXX)"
  "$repo_root/deploy/debian/bookworm-rootfs.sh" "$rootfs"
  tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - docker.io/library/debian:12 >/dev/null 2>&1
  rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/locale/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/*.log
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
SLIM
  tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - docker.io/library/debian:12-slim >/dev/null 2>&1
  rm -rf "$rootfs"
fi

# Both images from one set of layers: the first build makes every layer afresh (--no-cache) and
# keeps them (--layers), so the second, --target runtime-lavapipe, reuses its build and runtime
# stages and only installs lavapipe. The intermediate images are removed at the end.
images_before="$(podman images -a -q --no-trunc | sort)"
remove_intermediate_images() {
  local id
  for id in $(comm -13 <(echo "$images_before") <(podman images -a -q --no-trunc | sort)); do
    # Only untagged ones: the two images under test stay, to be inspected or run by hand.
    if [[ "$(podman image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null)" == 0 ]]; then
      podman rmi "$id" >/dev/null 2>&1 || true
    fi
  done
}
container=""
cleanup() {
  if [[ -n "$container" ]]; then podman rm -f "$container" >/dev/null 2>&1 || true; fi
  remove_intermediate_images
  rm -rf "$build_dir/deploy/image-scores"
}
trap cleanup EXIT

build_image() {  # image log buildah-flags...
  local tag="$1" log="$2"
  shift 2
  local previous
  previous=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  local start=$SECONDS
  if ! buildah bud --isolation chroot --format docker --layers --force-rm "$@" \
      --build-arg INFERD_BUILD_JOBS="${INFERD_BUILD_JOBS:-2}" \
      -f "$repo_root/deploy/docker/Dockerfile" -t "$tag" "$repo_root" >"$log" 2>&1; then
    tail -30 "$log" >&2
    fail "buildah bud $* failed; log: $log"
  fi
  # The image this build replaced would stay behind untagged: remove it (only that one).
  if [[ -n "$previous" && "$previous" != "$(podman image inspect --format '{{.Id}}' "$tag")" ]]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
  local size_bytes
  size_bytes=$(podman image inspect --format '{{.Size}}' "$tag")
  echo "test-image: $tag built in $((SECONDS - start)) s; image size $((size_bytes / 1000000)) MB"
  [[ "$(podman image inspect --format '{{.HealthCheck}}' "$tag")" == *inferctl* ]] ||
    fail "$tag has no HEALTHCHECK (buildah drops it unless --format docker)"
}

echo "test-image: building $image from deploy/docker/Dockerfile (the build stage compiles the daemon, from the host's ccache where build/ was built; log: $build_dir/deploy/image-build.log)"
# The host's ccache serves the build stage (the Dockerfile compiles with build/'s flags), so the
# image costs a link and a package where build/ was built first, as in CI.
ccache_flags=()
if host_ccache=$(ccache -k cache_dir 2>/dev/null) && mkdir -p "$host_ccache"; then
  ccache_flags=(--volume "$host_ccache:/host-ccache" --build-arg INFERD_CCACHE_DIR=/host-ccache)
fi
build_image "$image" "$build_dir/deploy/image-build.log" --no-cache "${ccache_flags[@]}"
# The same build arguments, so that its build and runtime stages are the first build's layers.
build_image "$lavapipe_image" "$build_dir/deploy/image-build-lavapipe.log" --target runtime-lavapipe \
  "${ccache_flags[@]}"

# Runs `image` as $container on the host network, loopback only, on ports the kernel picks, with the
# image's own repository; sets grpc_port and metrics_port once the daemon is ready. No health timer:
# podman runs it through systemd, which CI machines lack (its command is run below instead).
start_container() {  # image
  container="inferd-test-$$-${1##*:}"
  "${podman_run[@]}" run -d --name "$container" --network=host --read-only --no-healthcheck "$1" \
    --model-repository=/usr/share/inferd/models --grpc-address=127.0.0.1 --grpc-port=0 \
    --metrics-address=127.0.0.1 --metrics-port=0 --http-address=127.0.0.1 --http-port=0 >/dev/null
  grpc_port="" metrics_port=""
  local line
  while read -r line; do
    [[ "$line" =~ gRPC\ listening\ on\ [^:]+:([0-9]+) ]] && grpc_port=${BASH_REMATCH[1]}
    [[ "$line" =~ metrics\ listening\ on\ [^:]+:([0-9]+) ]] && metrics_port=${BASH_REMATCH[1]}
    [[ "$line" == *"inferd ready"* ]] && break
  done < <(podman logs -f "$container" 2>&1)
  [[ -n "$grpc_port" && -n "$metrics_port" ]] ||
    fail "the daemon in $1 did not start: $(podman logs "$container" 2>&1)"
}

# SIGTERM with the grace period; the daemon must drain and exit 0 before it. Sets stop_seconds.
stop_container() {
  local start=$SECONDS
  podman stop -t "$grace_seconds" "$container" >/dev/null
  local exit_code
  exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
  [[ "$exit_code" == 0 ]] ||
    fail "exit status $exit_code after SIGTERM (137: killed after $grace_seconds s)"
  grep -q "inferd stopped" <<<"$(podman logs "$container" 2>&1)" ||
    fail "the log does not say the daemon stopped: $(podman logs "$container" 2>&1)"
  podman rm "$container" >/dev/null
  container=""
  stop_seconds=$((SECONDS - start))
}

inferctl=("$build_dir/client/inferctl")
digits=(--input images="$repo_root/examples/data/digits_test_images_int8.npy"
  --labels "$repo_root/examples/data/digits_test_labels.npy")

# --- The default image ------------------------------------------------------------------------
start_container "$image"
answer="$("${inferctl[@]}" --url "127.0.0.1:$grpc_port" infer digits_int8 "${digits[@]}" --max-values 1)"
grep -q '^accuracy: 352/359' <<<"$answer" || fail "the held-out digits: $answer"
requests=$(curl -sf "127.0.0.1:$metrics_port/metrics" |
  sed -n 's/^inferd_inference_request_success{model="digits_int8",version="1"} //p')
[[ "$requests" == 6 ]] || fail "/metrics counts $requests digits_int8 requests, expected 6 (359 rows in 64s)"
# The Vulkan loader is in the image (inferd links it) but no driver: the GPU model is unavailable,
# and says what to install.
models="$("${inferctl[@]}" --url "127.0.0.1:$grpc_port" list)"
grep -q '^digits_int8_gpu .*UNAVAILABLE.*no Vulkan driver' <<<"$models" ||
  fail "digits_int8_gpu in the image without lavapipe: $models"

# The HEALTHCHECK's command, inside the container, on the port this run uses instead of 8001 (on the
# host network 8001 may be another daemon's).
podman exec "$container" inferctl --url "127.0.0.1:$grpc_port" --timeout-ms 2000 health >/dev/null ||
  fail "inferctl health in the container does not report the daemon healthy"
# The daemon (PID 1 in the container) runs as uid 999, and not even root can write the root fs.
uid=$(podman exec "$container" sh -c 'grep ^Uid: /proc/1/status' | awk '{print $2}')
[[ "$uid" == 999 ]] || fail "the daemon runs as uid $uid, expected 999"
if podman exec --user 0 "$container" touch /probe 2>/dev/null; then
  fail "the root file system is writable"
fi
stop_container
echo "test-image: $image passed: 352/359 digits, /metrics, health, uid 999, read-only root, digits_int8_gpu unavailable (no Vulkan driver), SIGTERM -> exit 0 in ${stop_seconds} s"

# --- runtime-lavapipe: the GPU model on Mesa's lavapipe ---------------------------------------
start_container "$lavapipe_image"
scores="$build_dir/deploy/image-scores"
rm -rf "$scores"
for model in digits_int8 digits_int8_gpu; do
  answer="$("${inferctl[@]}" --url "127.0.0.1:$grpc_port" infer "$model" "${digits[@]}" \
    --output-dir "$scores/$model")"
  grep -q '^accuracy: 352/359' <<<"$answer" || fail "the held-out digits on $model: $answer"
done
cmp "$scores/digits_int8/scores.npy" "$scores/digits_int8_gpu/scores.npy" ||
  fail "digits_int8_gpu's scores on lavapipe differ from digits_int8's"
page="$(curl -sf "127.0.0.1:$metrics_port/metrics")"
grep -q '^inferd_gpu_memory_total_bytes{device="0",name="llvmpipe' <<<"$page" ||
  fail "/metrics has no lavapipe device: $(grep inferd_gpu <<<"$page")"
grep -q '^inferd_gpu_device_lost{device="0",name="llvmpipe.*} 0$' <<<"$page" ||
  fail "/metrics does not show the lavapipe device as not lost: $(grep inferd_gpu <<<"$page")"
uid=$(podman exec "$container" sh -c 'grep ^Uid: /proc/1/status' | awk '{print $2}')
[[ "$uid" == 999 ]] || fail "the daemon in $lavapipe_image runs as uid $uid, expected 999"
stop_container
echo "test-image: $lavapipe_image passed: digits_int8_gpu on lavapipe, 352/359 digits, scores equal to digits_int8's, its device in /metrics, uid 999, read-only root, SIGTERM -> exit 0 in ${stop_seconds} s"
