#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile, as it is, with buildah and runs the image with podman, as CI does
# (scripts/test.sh): no Docker daemon and no image registry. The base images debian:12 and
# debian:12-slim are made here from a debootstrapped Debian 12 (deploy/debian/bookworm-rootfs.sh).
# Then, against the running container: the held-out digits through the host's inferctl, /metrics,
# the process's user (not root) and read-only root file system, and SIGTERM: exit status 0 within
# the grace period. Prints the build time and the image size.
#
#   deploy/docker/test-image.sh      (as root; INFERD_BUILD_JOBS compile jobs in the build stage, 2)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"
image=localhost/inferd:test
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

echo "test-image: building $image from deploy/docker/Dockerfile (the build stage compiles the daemon: 8 CPU minutes, apt-get included, the first time; log: $build_dir/deploy/image-build.log)"
previous_image=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
start=$SECONDS
if ! buildah bud --isolation chroot --format docker --no-cache --force-rm \
    --build-arg INFERD_BUILD_JOBS="${INFERD_BUILD_JOBS:-2}" \
    -f "$repo_root/deploy/docker/Dockerfile" -t "$image" "$repo_root" \
    >"$build_dir/deploy/image-build.log" 2>&1; then
  tail -30 "$build_dir/deploy/image-build.log" >&2
  fail "buildah bud failed; log: $build_dir/deploy/image-build.log"
fi
# The image this build replaced would stay behind untagged: remove it (only that one).
if [[ -n "$previous_image" && "$previous_image" != "$(podman image inspect --format '{{.Id}}' "$image")" ]]; then
  podman rmi "$previous_image" >/dev/null 2>&1 || true
fi
size_bytes=$(podman image inspect --format '{{.Size}}' "$image")
echo "test-image: built in $((SECONDS - start)) s; image size $((size_bytes / 1000000)) MB"
[[ "$(podman image inspect --format '{{.HealthCheck}}' "$image")" == *inferctl* ]] ||
  fail "the image has no HEALTHCHECK (buildah drops it unless --format docker)"

container="inferd-test-$$"
cleanup() { podman rm -f "$container" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# Host network, loopback only, ports the kernel picks; the image's own CMD repository. No health
# timer: podman runs it through systemd, which CI machines lack (its command is run below instead).
"${podman_run[@]}" run -d --name "$container" --network=host --read-only --no-healthcheck \
  "$image" \
  --model-repository=/usr/share/inferd/models --grpc-address=127.0.0.1 --grpc-port=0 \
  --metrics-address=127.0.0.1 --metrics-port=0 --http-address=127.0.0.1 --http-port=0 >/dev/null
grpc_port="" metrics_port=""
while read -r line; do
  [[ "$line" =~ gRPC\ listening\ on\ [^:]+:([0-9]+) ]] && grpc_port=${BASH_REMATCH[1]}
  [[ "$line" =~ metrics\ listening\ on\ [^:]+:([0-9]+) ]] && metrics_port=${BASH_REMATCH[1]}
  [[ "$line" == *"inferd ready"* ]] && break
done < <(podman logs -f "$container" 2>&1)
[[ -n "$grpc_port" && -n "$metrics_port" ]] || fail "the daemon did not start: $(podman logs "$container" 2>&1)"

answer="$("$build_dir/client/inferctl" --url "127.0.0.1:$grpc_port" infer digits_int8 \
  --input images="$repo_root/examples/data/digits_test_images_int8.npy" \
  --labels "$repo_root/examples/data/digits_test_labels.npy" --max-values 1)"
grep -q '^accuracy: 352/359' <<<"$answer" || fail "the held-out digits: $answer"
requests=$(curl -sf "127.0.0.1:$metrics_port/metrics" |
  sed -n 's/^inferd_inference_request_success{model="digits_int8",version="1"} //p')
[[ "$requests" == 6 ]] || fail "/metrics counts $requests digits_int8 requests, expected 6 (359 rows in 64s)"

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

start=$SECONDS
podman stop -t "$grace_seconds" "$container" >/dev/null
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
stop_seconds=$((SECONDS - start))
[[ "$exit_code" == 0 ]] || fail "exit status $exit_code after SIGTERM (137: killed after $grace_seconds s)"
log="$(podman logs "$container" 2>&1)"
grep -q "inferd stopped" <<<"$log" || fail "the log does not say the daemon stopped: $log"
echo "test-image: passed: 352/359 digits, /metrics, health, uid 999, read-only root, SIGTERM -> exit 0 in ${stop_seconds} s"
