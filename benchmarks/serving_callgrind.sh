#!/usr/bin/env bash
# Where a ModelInfer request's instructions go: runs inferd (or the echo server) under valgrind's
# callgrind, sends warm-up requests, zeroes the counters, sends N requests from one client, dumps the
# counters and prints the instructions per request and the costliest functions (inclusive).
#
#   benchmarks/serving_callgrind.sh                  # inferd, digits_fp32, 2000 requests
#   benchmarks/serving_callgrind.sh --echo           # the echo server, same requests
#   REQUESTS=500 MODEL=digits_int8 benchmarks/serving_callgrind.sh
#
# Environment: BUILD_DIR (default build), INFERD (default $BUILD_DIR/server/inferd), MODEL
# (digits_fp32), REQUESTS (2000), TOP (40 functions), OUT (where the callgrind file is kept; default
# a temporary folder, removed). Needs valgrind (apt-get install valgrind).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
INFERD=${INFERD:-$BUILD_DIR/server/inferd}
LOAD=$BUILD_DIR/benchmarks/inferd_serving_load
ECHO_SERVER=$BUILD_DIR/benchmarks/inferd_echo_server
MODEL=${MODEL:-digits_fp32}
REQUESTS=${REQUESTS:-2000}
TOP=${TOP:-40}
STARTUP_TIMEOUT_S=${STARTUP_TIMEOUT_S:-120}
command -v valgrind >/dev/null || { echo "serving_callgrind: valgrind not found (apt-get install valgrind)" >&2; exit 1; }

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/inferd-callgrind.XXXXXX")
# shellcheck source=benchmarks/server_processes.sh
source "$ROOT/benchmarks/server_processes.sh"
OUT=${OUT:-$WORK_DIR}
mkdir -p "$OUT"

if [[ ${1:-} == --echo ]]; then
  NAME=echo
  SERVER=("$ECHO_SERVER" --port 0)
  PATTERN="^listening on $ADDRESS_RE"
  REQUEST_ARGS=(--input-spec "images:FP32:1x8x8x1")
  READY_ARGS=()
else
  NAME=inferd
  SERVER=("$INFERD" --model-repository "$ROOT/examples/models" --grpc-address 127.0.0.1
    --grpc-port 0 --metrics-address 127.0.0.1 --metrics-port 0 --allow-http=false
    --model-control-mode=explicit --load-model "$MODEL")
  PATTERN="gRPC listening on $ADDRESS_RE"
  REQUEST_ARGS=(--model "$MODEL")
  READY_ARGS=(--model "$MODEL")
fi

setsid valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$NAME" "${SERVER[@]}" \
  >"$WORK_DIR/server.log" 2>&1 &
PIDS+=($!)
SERVER_PID=$!
ADDRESS=$(wait_for_address "$NAME" "$SERVER_PID" "$WORK_DIR/server.log" "$PATTERN")
"$LOAD" --wait-ready "$ADDRESS" "${READY_ARGS[@]}" --wait-timeout-s "$STARTUP_TIMEOUT_S" 2>/dev/null
run() {
  "$LOAD" --target "$NAME=$ADDRESS" --baseline "" "${REQUEST_ARGS[@]}" --concurrency 1 --repeats 1 \
    --level-timeout-s 600 "$@" >/dev/null 2>&1
}
run --requests 200 --warmup-requests 50
# valgrind's process is the server's: callgrind_control finds it by pid.
callgrind_control -z "$SERVER_PID" >/dev/null 2>&1
run --requests "$REQUESTS" --warmup-requests 1
callgrind_control -d "$SERVER_PID" >/dev/null 2>&1
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
PIDS=()

DUMP=$(ls "$OUT/callgrind.$NAME".* | head -1)
TOTAL=$(callgrind_annotate "$DUMP" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
# The request that warms up the timed run's connection is counted too: REQUESTS + 1.
echo "$NAME: $TOTAL instructions for $((REQUESTS + 1)) requests at concurrency 1:" \
  "$((TOTAL / (REQUESTS + 1))) per request"
echo "costliest functions, inclusive, instructions per request:"
callgrind_annotate --inclusive=yes --threshold=100 "$DUMP" 2>/dev/null |
  awk -v n=$((REQUESTS + 1)) -v top="$TOP" '/^ *[0-9,]+ \(/ && shown < top {
    count = $1; gsub(",", "", count); $1 = ""; $2 = ""; shown++
    printf "%10d %s\n", count / n, substr($0, 1, 150) }'
[[ $OUT == "$WORK_DIR" ]] || echo "callgrind file: $DUMP (callgrind_annotate, kcachegrind)"
