#!/usr/bin/env bash
# Measures inferd's ModelInfer serving cost against a bare gRPC echo server: starts both on
# ephemeral loopback ports, waits until they are ready, runs inferd_serving_load against both with
# the same requests, prints the table and stops both. Bounded by BUDGET_S seconds (default 120).
#
#   benchmarks/run_serving_benchmark.sh                          # defaults: digits_fp32, 1,4,16
#   benchmarks/run_serving_benchmark.sh --concurrency 1,4 --json /tmp/serving.json
#   MODEL=digits_int8 benchmarks/run_serving_benchmark.sh
#   ECHO_ONLY=1 benchmarks/run_serving_benchmark.sh              # echo vs echo: checks the harness
#
# Arguments are passed to inferd_serving_load after the defaults, so they override them.
# Environment: BUILD_DIR (default build), INFERD (default $BUILD_DIR/server/inferd), BENCH_BIN_DIR
# (default $BUILD_DIR/benchmarks), MODEL, MODEL_REPOSITORY, BUDGET_S, STARTUP_TIMEOUT_S, ECHO_ONLY,
# SERVER_CPUS / CLIENT_CPUS (taskset CPU lists that keep the servers and the load generator apart on
# machines with cores to spare, e.g. SERVER_CPUS=0-3 CLIENT_CPUS=4-7).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
INFERD=${INFERD:-$BUILD_DIR/server/inferd}
BENCH_BIN_DIR=${BENCH_BIN_DIR:-$BUILD_DIR/benchmarks}
LOAD=$BENCH_BIN_DIR/inferd_serving_load
ECHO_SERVER=$BENCH_BIN_DIR/inferd_echo_server
MODEL=${MODEL:-digits_fp32}
MODEL_REPOSITORY=${MODEL_REPOSITORY:-$ROOT/examples/models}
BUDGET_S=${BUDGET_S:-120}
STARTUP_TIMEOUT_S=${STARTUP_TIMEOUT_S:-30}
ECHO_ONLY=${ECHO_ONLY:-0}
SERVER_PIN=()
[[ -z ${SERVER_CPUS:-} ]] || SERVER_PIN=(taskset -c "$SERVER_CPUS")
CLIENT_PIN=()
[[ -z ${CLIENT_CPUS:-} ]] || CLIENT_PIN=(taskset -c "$CLIENT_CPUS")

die() {
  echo "run_serving_benchmark: $*" >&2
  exit 1
}

for binary in "$LOAD" "$ECHO_SERVER"; do
  [[ -x $binary ]] || die "$binary not built (ninja -C $BUILD_DIR inferd_serving_load inferd_echo_server)"
done
if [[ $ECHO_ONLY != 1 ]]; then
  [[ -x $INFERD ]] || die "$INFERD not built; set INFERD=/path/to/inferd (or ECHO_ONLY=1)"
  [[ -d $MODEL_REPOSITORY ]] || die "model repository $MODEL_REPOSITORY not found"
fi

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/inferd-serving-bench.XXXXXX")
# shellcheck source=benchmarks/server_processes.sh
source "$ROOT/benchmarks/server_processes.sh"

# PIDS must grow in this shell, so the servers start here rather than in $(...) subshells.
setsid "${SERVER_PIN[@]}" "$ECHO_SERVER" --port 0 >"$WORK_DIR/echo.log" 2>&1 &
PIDS+=($!)
ECHO_PID=$!
if [[ $ECHO_ONLY == 1 ]]; then
  setsid "${SERVER_PIN[@]}" "$ECHO_SERVER" --port 0 >"$WORK_DIR/echo2.log" 2>&1 &
  PIDS+=($!)
  SUBJECT_PID=$!
  SUBJECT_LOG=$WORK_DIR/echo2.log
  SUBJECT_RE="listening on $ADDRESS_RE"
else
  setsid "${SERVER_PIN[@]}" "$INFERD" --model-repository "$MODEL_REPOSITORY" --grpc-address 127.0.0.1 --grpc-port 0 --metrics-address 127.0.0.1 --metrics-port 0 \
    --allow-http=false >"$WORK_DIR/inferd.log" 2>&1 &
  PIDS+=($!)
  SUBJECT_PID=$!
  SUBJECT_LOG=$WORK_DIR/inferd.log
  # The contract is stderr, but spdlog's default sink is stdout: the log holds both.
  SUBJECT_RE="gRPC listening on $ADDRESS_RE"
fi

ECHO_ADDRESS=$(wait_for_address echo "$ECHO_PID" "$WORK_DIR/echo.log" "listening on $ADDRESS_RE")
SUBJECT_ADDRESS=$(wait_for_address subject "$SUBJECT_PID" "$SUBJECT_LOG" "$SUBJECT_RE")

# inferd is ready once its model is; the echo server has no models.
WAIT_MODEL=()
[[ $ECHO_ONLY == 1 ]] || WAIT_MODEL=(--model "$MODEL")
"$LOAD" --wait-ready "$SUBJECT_ADDRESS" "${WAIT_MODEL[@]}" --wait-timeout-s "$STARTUP_TIMEOUT_S" ||
  { tail -n 20 "$SUBJECT_LOG" >&2; die "server at $SUBJECT_ADDRESS never became ready"; }
"$LOAD" --wait-ready "$ECHO_ADDRESS" --wait-timeout-s "$STARTUP_TIMEOUT_S" ||
  die "echo server at $ECHO_ADDRESS never became ready"

if [[ $ECHO_ONLY == 1 ]]; then
  TARGETS=(--target "echo2=$SUBJECT_ADDRESS" --echo "$ECHO_ADDRESS" --input-spec input:FP32:1x8x8x1)
else
  TARGETS=(--inferd "$SUBJECT_ADDRESS" --echo "$ECHO_ADDRESS")
fi

LEFT_S=$((BUDGET_S - SECONDS))
((LEFT_S > 5)) || die "no time left of BUDGET_S=$BUDGET_S after start-up"
status=0
timeout --signal=TERM "$LEFT_S" "${CLIENT_PIN[@]}" "$LOAD" "${TARGETS[@]}" --model "$MODEL" \
  --concurrency 1,4,16 --duration-s 2 --warmup-requests 200 --repeats 3 "$@" || status=$?
if ((status == 124)); then
  die "the load run did not finish within BUDGET_S=${BUDGET_S}s; shorten --duration-s or --repeats"
fi
if ((status != 0)) && [[ $ECHO_ONLY != 1 ]]; then
  echo "run_serving_benchmark: last lines of the inferd log:" >&2
  tail -n 20 "$SUBJECT_LOG" >&2
fi
exit "$status"
