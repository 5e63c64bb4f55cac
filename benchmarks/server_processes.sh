# Sourced by the benchmark runners (run_serving_benchmark.sh, protocol/run_protocol_benchmark.sh):
# servers started in the background on ephemeral ports, their addresses read from their logs, and
# all of them stopped when the runner exits. The runner sets STARTUP_TIMEOUT_S and WORK_DIR (removed
# at exit), starts each server with `setsid ... &` and appends $! to PIDS.
# shellcheck shell=bash

PIDS=()

# shellcheck disable=SC2317  # invoked through the EXIT trap
stop_servers() {
  local pid
  # Each server leads its own process group (setsid), so a wrapper script's children go too.
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # Give each a few seconds to drain, then make sure none outlives the script.
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK_DIR"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

# Prints the host:port that `pattern` (an ERE ending in the address) finds in `log` once the
# process `pid` has written it; fails when the process exits or STARTUP_TIMEOUT_S passes first.
wait_for_address() {
  local name=$1 pid=$2 log=$3 pattern=$4 deadline=$((SECONDS + STARTUP_TIMEOUT_S)) line
  while ((SECONDS < deadline)); do
    line=$(grep -m1 -oE "$pattern" "$log" 2>/dev/null || true)
    if [[ -n $line ]]; then
      echo "${line##* }"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "${0##*/}: $name exited before listening; its log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "${0##*/}: $name did not report a port in ${STARTUP_TIMEOUT_S}s; its log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

# shellcheck disable=SC2034  # used by the runners that source this file
ADDRESS_RE='[0-9.]+:[0-9]+'
