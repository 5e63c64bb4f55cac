#!/usr/bin/env bash
# Measures one inferd daemon through each of its protocols in one run: starts it on ephemeral
# loopback ports with a temporary repository (the small model copied from examples/models, the
# large-input model written by make_large_model.py), and inferd_echo_server beside it (gRPC and
# HTTP: each protocol's bare twin), waits until both models are ready, runs inferd_protocol_bench
# against the listeners of both, prints the tables and stops them. Bounded by BUDGET_S seconds
# (default 480).
#
#   benchmarks/protocol/run_protocol_benchmark.sh                       # 1,16 clients, 3 rounds
#   benchmarks/protocol/run_protocol_benchmark.sh --repeats 5 --json /tmp/protocol.json
#   LARGE=0 benchmarks/protocol/run_protocol_benchmark.sh --concurrency 1   # small model only
#
# Arguments are passed to inferd_protocol_bench after the defaults, so they override them.
# Environment: BUILD_DIR (default build), INFERD (default $BUILD_DIR/server/inferd), BENCH_BIN_DIR
# (default $BUILD_DIR/benchmarks), MODEL (default digits_int8, from examples/models), LARGE (1:
# also the 4 MiB model), ECHO (1: also the bare twins on inferd_echo_server), HTTP_THREADS
# (civetweb workers of both servers, default 16: one per client at the highest default
# concurrency, since a worker serves one kept-alive connection at a time), BUDGET_S,
# STARTUP_TIMEOUT_S, SERVER_CPUS / CLIENT_CPUS (taskset CPU lists for the daemon and the clients).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
INFERD=${INFERD:-$BUILD_DIR/server/inferd}
BENCH_BIN_DIR=${BENCH_BIN_DIR:-$BUILD_DIR/benchmarks}
LOAD=$BENCH_BIN_DIR/inferd_serving_load
BENCH=$BENCH_BIN_DIR/protocol/inferd_protocol_bench
ECHO_SERVER=$BENCH_BIN_DIR/inferd_echo_server
ECHO=${ECHO:-1}
MODEL=${MODEL:-digits_int8}
LARGE=${LARGE:-1}
LARGE_MODEL=large_fp32
HTTP_THREADS=${HTTP_THREADS:-16}
BUDGET_S=${BUDGET_S:-480}
STARTUP_TIMEOUT_S=${STARTUP_TIMEOUT_S:-30}
SERVER_PIN=()
[[ -z ${SERVER_CPUS:-} ]] || SERVER_PIN=(taskset -c "$SERVER_CPUS")
CLIENT_PIN=()
[[ -z ${CLIENT_CPUS:-} ]] || CLIENT_PIN=(taskset -c "$CLIENT_CPUS")

die() {
  echo "run_protocol_benchmark: $*" >&2
  exit 1
}

BINARIES=("$INFERD" "$LOAD" "$BENCH")
[[ $ECHO != 1 ]] || BINARIES+=("$ECHO_SERVER")
for binary in "${BINARIES[@]}"; do
  [[ -x $binary ]] || die "$binary not built (ninja -C $BUILD_DIR inferd inferd_serving_load inferd_protocol_bench inferd_echo_server)"
done
[[ -d $ROOT/examples/models/$MODEL ]] || die "no model $MODEL in examples/models"

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/inferd-protocol-bench.XXXXXX")
# shellcheck source=benchmarks/server_processes.sh
source "$ROOT/benchmarks/server_processes.sh"

# The daemon reads only regular files inside its repository, so the model is copied, not linked.
REPOSITORY=$WORK_DIR/models
mkdir -p "$REPOSITORY"
cp -r "$ROOT/examples/models/$MODEL" "$REPOSITORY/"
LARGE_ARGS=()
if [[ $LARGE == 1 ]]; then
  /usr/bin/python3 "$ROOT/benchmarks/protocol/make_large_model.py" "$REPOSITORY" --name "$LARGE_MODEL" ||
    die "could not write the large model (needs python3-numpy and flatc)"
  LARGE_ARGS=(--large-model "$LARGE_MODEL")
fi

setsid "${SERVER_PIN[@]}" "$INFERD" --model-repository "$REPOSITORY" \
  --grpc-address 127.0.0.1 --grpc-port 0 --http-address 127.0.0.1 --http-port 0 \
  --allow-metrics=false --http-thread-count "$HTTP_THREADS" >"$WORK_DIR/inferd.log" 2>&1 &
PIDS+=($!)
INFERD_PID=$!
# The contract is stderr, but spdlog's default sink is stdout: the log holds both.
GRPC_ADDRESS=$(wait_for_address inferd "$INFERD_PID" "$WORK_DIR/inferd.log" "gRPC listening on $ADDRESS_RE")
HTTP_ADDRESS=$(wait_for_address inferd "$INFERD_PID" "$WORK_DIR/inferd.log" "HTTP listening on $ADDRESS_RE")

# The bare twins: the same CPUs, listener settings and HTTP workers as the daemon.
ECHO_ARGS=()
if [[ $ECHO == 1 ]]; then
  setsid "${SERVER_PIN[@]}" "$ECHO_SERVER" --address 127.0.0.1 --port 0 --http-port 0 \
    --http-threads "$HTTP_THREADS" >"$WORK_DIR/echo.log" 2>&1 &
  PIDS+=($!)
  ECHO_PID=$!
  ECHO_GRPC=$(wait_for_address inferd_echo_server "$ECHO_PID" "$WORK_DIR/echo.log" "^listening on $ADDRESS_RE")
  ECHO_HTTP=$(wait_for_address inferd_echo_server "$ECHO_PID" "$WORK_DIR/echo.log" "http listening on $ADDRESS_RE")
  ECHO_ARGS=(--echo-grpc "$ECHO_GRPC" --echo-http "$ECHO_HTTP")
fi

for model in "$MODEL" "${LARGE_ARGS[@]:1}"; do
  "$LOAD" --wait-ready "$GRPC_ADDRESS" --model "$model" --wait-timeout-s "$STARTUP_TIMEOUT_S" ||
    { tail -n 20 "$WORK_DIR/inferd.log" >&2; die "model $model never became ready"; }
done

LEFT_S=$((BUDGET_S - SECONDS))
((LEFT_S > 5)) || die "no time left of BUDGET_S=$BUDGET_S after start-up"
status=0
timeout --signal=TERM "$LEFT_S" "${CLIENT_PIN[@]}" "$BENCH" --grpc "$GRPC_ADDRESS" \
  --http "$HTTP_ADDRESS" "${ECHO_ARGS[@]}" --model "$MODEL" "${LARGE_ARGS[@]}" \
  --concurrency 1,16 --duration-s 2 \
  --repeats 3 "$@" || status=$?
if ((status == 124)); then
  die "the run did not finish within BUDGET_S=${BUDGET_S}s; shorten --duration-s or --repeats"
fi
if ((status != 0)); then
  echo "run_protocol_benchmark: last lines of the inferd log:" >&2
  tail -n 20 "$WORK_DIR/inferd.log" >&2
fi
exit "$status"
