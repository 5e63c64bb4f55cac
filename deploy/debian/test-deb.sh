#!/usr/bin/env bash
# The Debian package as a user meets it: build it with CPack, install it with apt-get into a fresh
# Debian 12 root (which fetches its dependencies from the Debian mirror), run the installed daemon
# there as an unprivileged user with the packaged defaults, classify the held-out digits through it
# with the host's inferctl over loopback, and stop it with SIGTERM (exit status 0).
#
#   deploy/debian/test-deb.sh      (as root: debootstrap and chroot; scripts/test.sh runs it)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${INFERD_BUILD_DIR:-$repo_root/build}"

if [[ $(id -u) -ne 0 ]]; then
  echo "test-deb: SKIPPED: debootstrap and chroot need root (CI runs as root)"
  exit 0
fi
for tool in debootstrap cpack; do
  command -v "$tool" >/dev/null || { echo "test-deb: $tool missing; scripts/setup.sh installs it" >&2; exit 1; }
done

root="$(mktemp -d /var/tmp/inferd-deb-root.XXXXXX)"
daemon_pid=""
cleanup() {
  if [[ -n "$daemon_pid" ]]; then kill "$daemon_pid" 2>/dev/null || true; fi
  if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
  rm -rf "$root"
}
trap cleanup EXIT

start=$SECONDS
cmake --build "$build_dir" --target inferd inferctl inferd_target_agent >/dev/null
(cd "$build_dir" && cpack -G DEB >/dev/null 2>&1) || (cd "$build_dir" && cpack -G DEB)
package="$(ls "$build_dir"/inferd_*_amd64.deb)"
echo "test-deb: $(basename "$package"), $(du -k "$package" | cut -f1) KiB"

"$repo_root/deploy/debian/bookworm-rootfs.sh" "$root"
cp "$package" "$root/tmp/"
log="$build_dir/deploy/test-deb-apt.log"
if ! chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends /tmp/$(basename "$package")" >"$log" 2>&1; then
  tail -20 "$log" >&2
  echo "test-deb: FAILED: apt-get could not install the package; log: $log" >&2
  exit 1
fi
echo "test-deb: installed with its dependencies ($(chroot "$root" dpkg-query -W -f='${Depends}' inferd))"

# The packaged defaults (/etc/default/inferd), on loopback ports the kernel picks, as nobody.
source "$root/etc/default/inferd"
mount -t proc proc "$root/proc"
daemon_log="$build_dir/deploy/test-deb-daemon.log"
# Made before the daemon starts: tail below opens it at once, and the background job's redirection
# may not have created it yet.
: >"$daemon_log"
# shellcheck disable=SC2086  # INFERD_OPTS is a list of flags, as in the unit
chroot --userspec=65534:65534 "$root" /usr/bin/inferd $INFERD_OPTS --grpc-address=127.0.0.1 \
  --grpc-port=0 --metrics-address=127.0.0.1 --metrics-port=0 --http-address=127.0.0.1 \
  --http-port=0 >"$daemon_log" 2>&1 &
daemon_pid=$!
# The daemon logs its ports and then "inferd ready"; follow the log until it does (or exits).
grpc_port=""
while read -r line; do
  [[ "$line" =~ gRPC\ listening\ on\ [^:]+:([0-9]+) ]] && grpc_port=${BASH_REMATCH[1]}
  [[ "$line" =~ metrics\ listening\ on\ [^:]+:([0-9]+) ]] && metrics_port=${BASH_REMATCH[1]}
  [[ "$line" == *"inferd ready"* ]] && break
done < <(tail -n +1 --pid="$daemon_pid" -f "$daemon_log")
[[ -n "$grpc_port" ]] || { cat "$daemon_log" >&2; echo "test-deb: FAILED: the daemon did not start" >&2; exit 1; }

answer="$("$build_dir/client/inferctl" --url "127.0.0.1:$grpc_port" infer digits_int8 \
  --input images="$repo_root/examples/data/digits_test_images_int8.npy" \
  --labels "$repo_root/examples/data/digits_test_labels.npy" --max-values 1)"
grep -q '^accuracy: 352/359' <<<"$answer" || {
  echo "$answer" >&2
  echo "test-deb: FAILED: the installed daemon did not classify the held-out digits" >&2
  exit 1
}
# Captured first: grep -q stops reading early, and pipefail would count curl's SIGPIPE as a failure.
metrics="$(curl -sf "127.0.0.1:$metrics_port/metrics")"
grep -q '^inferd_inference_request_success{model="digits_int8"' <<<"$metrics" ||
  { echo "test-deb: FAILED: /metrics has no digits_int8 requests" >&2; exit 1; }

kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
daemon_pid=""
if ((status != 0)); then
  cat "$daemon_log" >&2
  echo "test-deb: FAILED: the daemon exited $status after SIGTERM" >&2
  exit 1
fi
echo "test-deb: passed in $((SECONDS - start)) s: apt-get installed the package into Debian 12, its" \
  "daemon ran as nobody and classified 352/359 digits, and exited 0 on SIGTERM"
