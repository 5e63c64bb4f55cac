#!/usr/bin/env bash
# Measures inferd's ModelInfer serving cost against a bare gRPC echo server: starts both on
# ephemeral loopback ports, waits until they are ready, runs inferd_serving_load against both with
# the same requests, prints the table and stops both. Bounded by BUDGET_S seconds (default 120).
#
#   benchmarks/run_serving_benchmark.sh                          # defaults: digits_fp32, 1,4,16
#   benchmarks/run_serving_benchmark.sh --concurrency 1,4 --json /tmp/serving.json
#   MODEL=digits_int8 benchmarks/run_serving_benchmark.sh
#   ECHO_ONLY=1 benchmarks/run_serving_benchmark.sh              # echo vs echo: checks the harness
#   BEFORE_INFERD=/tmp/inferd.old benchmarks/run_serving_benchmark.sh  # adds target inferd_before
#
# Arguments are passed to inferd_serving_load after the defaults, so they override them.
# Environment: BUILD_DIR (default build), INFERD (default $BUILD_DIR/server/inferd), BENCH_BIN_DIR
# (default $BUILD_DIR/benchmarks), MODEL, MODEL_REPOSITORY, BUDGET_S, STARTUP_TIMEOUT_S, ECHO_ONLY,
# BEFORE_INFERD (a second inferd binary, e.g. a copy from before a change, measured in the same run
# as target 'inferd_before', so a change's effect is read side by side with the echo floor),
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
BEFORE_INFERD=${BEFORE_INFERD:-}
if [[ -n $BEFORE_INFERD ]]; then
  [[ $ECHO_ONLY != 1 ]] || die "BEFORE_INFERD and ECHO_ONLY do not go together"
  [[ -x $BEFORE_INFERD ]] || die "BEFORE_INFERD=$BEFORE_INFERD is not an executable"
  setsid "${SERVER_PIN[@]}" "$BEFORE_INFERD" --model-repository "$MODEL_REPOSITORY" --grpc-address 127.0.0.1 --grpc-port 0 --metrics-address 127.0.0.1 --metrics-port 0 \
    --allow-http=false >"$WORK_DIR/inferd_before.log" 2>&1 &
  PIDS+=($!)
  BEFORE_PID=$!
  BEFORE_ADDRESS=$(wait_for_address inferd_before "$BEFORE_PID" "$WORK_DIR/inferd_before.log" "gRPC listening on $ADDRESS_RE")
  "$LOAD" --wait-ready "$BEFORE_ADDRESS" --model "$MODEL" --wait-timeout-s "$STARTUP_TIMEOUT_S" ||
    die "inferd_before at $BEFORE_ADDRESS never became ready"
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
  [[ -z $BEFORE_INFERD ]] || TARGETS+=(--target "inferd_before=$BEFORE_ADDRESS")
fi

# CPU time (user + system, clock ticks) a server has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# The report's JSON: the caller's --json when given (the last one wins, as for the flag), else ours.
JSON_FILE=$WORK_DIR/report.json
previous=""
for arg in "$@"; do
  [[ $previous == --json ]] && JSON_FILE=$arg
  [[ $arg == --json=* ]] && JSON_FILE=${arg#--json=}
  previous=$arg
done
declare -A SERVER_PID=([echo]=$ECHO_PID)
if [[ $ECHO_ONLY == 1 ]]; then SERVER_PID[echo2]=$SUBJECT_PID; else SERVER_PID[inferd]=$SUBJECT_PID; fi
[[ -z $BEFORE_INFERD ]] || SERVER_PID[inferd_before]=$BEFORE_PID
declare -A TICKS_BEFORE
for name in "${!SERVER_PID[@]}"; do TICKS_BEFORE[$name]=$(cpu_ticks "${SERVER_PID[$name]}"); done

LEFT_S=$((BUDGET_S - SECONDS))
((LEFT_S > 5)) || die "no time left of BUDGET_S=$BUDGET_S after start-up"
status=0
timeout --signal=TERM "$LEFT_S" "${CLIENT_PIN[@]}" "$LOAD" "${TARGETS[@]}" --model "$MODEL" \
  --concurrency 1,4,16 --duration-s 2 --warmup-requests 200 --repeats 3 --json "$WORK_DIR/report.json" \
  "$@" || status=$?
if ((status == 124)); then
  die "the load run did not finish within BUDGET_S=${BUDGET_S}s; shorten --duration-s or --repeats"
fi
# Each server's own CPU time per request over the whole run (warm-ups included): unlike latency and
# throughput, it hardly moves when other processes share the machine, so a change's effect shows
# even on a busy one.
if ((status == 0)) && [[ -f $JSON_FILE ]]; then
  ticks_per_s=$(getconf CLK_TCK)
  echo
  echo "server CPU time per request (user + system, all levels and warm-ups of the run)"
  for name in "${!SERVER_PID[@]}"; do
    echo "$name $(($(cpu_ticks "${SERVER_PID[$name]}") - TICKS_BEFORE[$name]))"
  done | /usr/bin/python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
ticks_per_s = float(sys.argv[2])
baseline = report.get("baseline") or ""
rows = {}
for line in sys.stdin:
    name, ticks = line.split()
    runs = [r for result in report["results"] if result["target"] == name for r in result["runs"]]
    requests = sum(r["requests"] for r in runs) + len(runs) * report["warmup_requests"]
    rows[name] = 1e6 * int(ticks) / ticks_per_s / max(requests, 1)
for name in sorted(rows, key=lambda n: (n != baseline, n)):
    ratio = f"{rows[name] / rows[baseline]:10.2f}" if rows.get(baseline) else ""
    print(f"{name:<14} {rows[name]:10.1f} us {ratio}")
' "$JSON_FILE" "$ticks_per_s"
fi
if ((status != 0)) && [[ $ECHO_ONLY != 1 ]]; then
  echo "run_serving_benchmark: last lines of the inferd log:" >&2
  tail -n 20 "$SUBJECT_LOG" >&2
fi
exit "$status"
