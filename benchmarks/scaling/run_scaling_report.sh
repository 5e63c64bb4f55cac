#!/usr/bin/env bash
# The scaling report (issue 11, section 3): how inferd's cost grows with batch size, concurrency,
# model size and cpu_threads, and what its memory is when idle, per loaded model and after many
# load/unload cycles. Runs the real daemon and inferd_serving_load, then scaling_report.py prints
# the table and writes the plots.
#
#   benchmarks/scaling/run_scaling_report.sh                     # full sweep, a few minutes
#   benchmarks/scaling/run_scaling_report.sh --quick             # digits only, seconds (ctest)
#   benchmarks/scaling/run_scaling_report.sh --memory-only       # the memory part alone
#   benchmarks/scaling/run_scaling_report.sh --plots docs/scaling --results /tmp/scaling
#
# Environment: BUILD_DIR (default build), INFERD (default $BUILD_DIR/server/inferd), BENCH_BIN_DIR
# (default $BUILD_DIR/benchmarks), MOBILENET_DIR (default $BENCH_BIN_DIR/kernels/models: the graphs
# `ninja inferd_mobilenet_models` writes; without them the MobileNetV2 points are skipped, said so),
# STARTUP_TIMEOUT_S (default 60), LOAD_CYCLES (default 1000, --quick 20).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
INFERD=${INFERD:-$BUILD_DIR/server/inferd}
BENCH_BIN_DIR=${BENCH_BIN_DIR:-$BUILD_DIR/benchmarks}
LOAD=$BENCH_BIN_DIR/inferd_serving_load
MOBILENET_DIR=${MOBILENET_DIR:-$BENCH_BIN_DIR/kernels/models}
STARTUP_TIMEOUT_S=${STARTUP_TIMEOUT_S:-60}
EXAMPLES=$ROOT/examples/models

QUICK=0
MEMORY_ONLY=0
PLOTS_DIR=""
RESULTS_DIR=""
while (($# > 0)); do
  case $1 in
    --quick) QUICK=1 ;;
    --memory-only) MEMORY_ONLY=1 ;;
    --plots) PLOTS_DIR=$2; shift ;;
    --results) RESULTS_DIR=$2; shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run_scaling_report: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() {
  echo "run_scaling_report: $*" >&2
  exit 1
}

for binary in "$INFERD" "$LOAD"; do
  [[ -x $binary ]] || die "$binary not built (ninja -C $BUILD_DIR inferd inferd_serving_load)"
done

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/inferd-scaling.XXXXXX")
# shellcheck source=benchmarks/server_processes.sh
source "$ROOT/benchmarks/server_processes.sh"
RESULTS_DIR=${RESULTS_DIR:-$WORK_DIR/results}
mkdir -p "$RESULTS_DIR"
REPO=$WORK_DIR/models
mkdir -p "$REPO"

if ((QUICK)); then
  LOAD_CYCLES=${LOAD_CYCLES:-20}
  WINDOW=(--duration-s 0.3 --repeats 1 --warmup-requests 20)
  BATCHES=(1 8 64)
  CONCURRENCY=1,4,16
  THREADS=(1 2)
else
  LOAD_CYCLES=${LOAD_CYCLES:-1000}
  WINDOW=(--duration-s 1 --repeats 3 --warmup-requests 100)
  BATCHES=(1 2 4 8 16 32 64)
  CONCURRENCY=1,2,4,8,16,32,64
  THREADS=(1 2 4)
fi
# MobileNetV2 runs tens of milliseconds a request: fewer warm-up requests, a longer window.
BIG_WINDOW=(--duration-s 2 --repeats 3 --warmup-requests 4)

# --- the model repository: the examples, and variants that differ only in a config field ---------

# copy_model SOURCE_DIR NAME [CONFIG_SED]: SOURCE_DIR's model as NAME, its config edited by sed.
copy_model() {
  local source=$1 name=$2 edit=${3:-}
  mkdir -p "$REPO/$name/1"
  cp "$source"/1/* "$REPO/$name/1/"
  sed -e "s/^name: .*/name: \"$name\"/" ${edit:+-e "$edit"} "$source/config.pbtxt" \
    >"$REPO/$name/config.pbtxt"
}

# mobilenet_model PRECISION THREADS NAME: a config around the benchmark's MobileNetV2 graph.
mobilenet_model() {
  local precision=$1 threads=$2 name=$3 dtype=TYPE_FP32
  [[ $precision == int8 ]] && dtype=TYPE_INT8
  mkdir -p "$REPO/$name/1"
  cp "$MOBILENET_DIR/mobilenet_v2_$precision.tosa" "$REPO/$name/1/model.tosa"
  cat >"$REPO/$name/config.pbtxt" <<CONFIG
name: "$name"
backend: "tosa_cpu"
max_batch_size: 8
input [ { name: "images" data_type: $dtype dims: [ 224, 224, 3 ] } ]
output [ { name: "logits" data_type: $dtype dims: [ 1000 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
parameters { key: "cpu_threads" value: { string_value: "$threads" } }
CONFIG
}

copy_model "$EXAMPLES/digits_fp32" digits_fp32
copy_model "$EXAMPLES/digits_int8" digits_int8
SIZE_MODELS=(digits_int8 digits_fp32)
THREAD_MODELS=()
HAVE_MOBILENET=0
if ((!QUICK)) && [[ -f $MOBILENET_DIR/mobilenet_v2_int8.tosa && -f $MOBILENET_DIR/mobilenet_v2_fp32.tosa ]]; then
  HAVE_MOBILENET=1
  mobilenet_model int8 1 mobilenet_int8
  mobilenet_model fp32 1 mobilenet_fp32
  SIZE_MODELS+=(mobilenet_int8 mobilenet_fp32)
  for threads in "${THREADS[@]}"; do
    mobilenet_model int8 "$threads" "mobilenet_int8_threads_$threads"
    THREAD_MODELS+=("mobilenet_int8_threads_$threads")
  done
else
  ((QUICK)) || echo "run_scaling_report: no MobileNetV2 graphs in $MOBILENET_DIR" \
    "(ninja -C $BUILD_DIR inferd_mobilenet_models); model size and cpu_threads use digits only" >&2
  for threads in "${THREADS[@]}"; do
    copy_model "$EXAMPLES/digits_fp32" "digits_fp32_threads_$threads" \
      "\$a parameters { key: \"cpu_threads\" value: { string_value: \"$threads\" } }"
    THREAD_MODELS+=("digits_fp32_threads_$threads")
  done
fi

# --- daemons ---------------------------------------------------------------------------------------

# start_inferd NAME ARGS...: starts inferd on ephemeral ports; sets DAEMON_PID and DAEMON_ADDRESS.
start_inferd() {
  local name=$1
  shift
  setsid "$INFERD" --model-repository "$REPO" --grpc-address 127.0.0.1 --grpc-port 0 \
    --metrics-address 127.0.0.1 --metrics-port 0 --allow-http=false "$@" \
    >"$WORK_DIR/$name.log" 2>&1 &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  DAEMON_ADDRESS=$(wait_for_address "$name" "$DAEMON_PID" "$WORK_DIR/$name.log" \
    "gRPC listening on $ADDRESS_RE")
  "$LOAD" --wait-ready "$DAEMON_ADDRESS" --wait-timeout-s "$STARTUP_TIMEOUT_S" 2>/dev/null ||
    { tail -n 20 "$WORK_DIR/$name.log" >&2; die "$name never became ready"; }
}

stop_inferd() {
  kill -TERM -- "-$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
}

# Resident set size of a process in KiB (VmRSS), and the part of it that is anonymous memory (RssAnon:
# heap, stacks, model data) rather than pages of mapped files (code of the binary and libraries).
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
anon_kib() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status"; }

# Bytes of planned activations that the CPU backend logged for the instances of model $2 in log $1.
planned_bytes() {
  grep -oE "model '$2' instance: [0-9]+ bytes of planned activations" "$1" |
    awk '{ sum += $4 } END { print sum + 0 }'
}

# --- memory ----------------------------------------------------------------------------------------

echo "run_scaling_report: memory (idle, per model, $LOAD_CYCLES load/unload cycles)" >&2
start_inferd idle --model-control-mode=explicit
IDLE_KIB=$(rss_kib "$DAEMON_PID")
IDLE_ANON_KIB=$(anon_kib "$DAEMON_PID")
# Load/unload cycles of the smallest model on the same daemon: RSS after each tenth of them.
CYCLE_ROWS=()
step=$((LOAD_CYCLES / 10))
((step > 0)) || step=1
done_cycles=0
while ((done_cycles < LOAD_CYCLES)); do
  "$LOAD" --inferd "$DAEMON_ADDRESS" --model digits_fp32 --load-unload-cycles "$step" ||
    die "load/unload cycles failed; inferd's log: $WORK_DIR/idle.log"
  done_cycles=$((done_cycles + step))
  CYCLE_ROWS+=("[$done_cycles, $(rss_kib "$DAEMON_PID"), $(anon_kib "$DAEMON_PID")]")
done
stop_inferd

MODEL_ROWS=()
for model in "${SIZE_MODELS[@]}"; do
  start_inferd "memory_$model" --model-control-mode=explicit --load-model "$model"
  "$LOAD" --wait-ready "$DAEMON_ADDRESS" --model "$model" --wait-timeout-s "$STARTUP_TIMEOUT_S" \
    2>/dev/null || die "$model never became ready"
  loaded_kib=$(rss_kib "$DAEMON_PID")
  loaded_anon_kib=$(anon_kib "$DAEMON_PID")
  # A few requests: the planned activations are only touched, so resident, once the model runs.
  "$LOAD" --inferd "$DAEMON_ADDRESS" --baseline "" --model "$model" --concurrency 1 \
    --duration-s 0.2 --repeats 1 --warmup-requests 2 >/dev/null 2>"$WORK_DIR/load.err" ||
    { cat "$WORK_DIR/load.err" >&2; die "requests to $model failed"; }
  served_kib=$(rss_kib "$DAEMON_PID")
  served_anon_kib=$(anon_kib "$DAEMON_PID")
  weights=$(stat -c %s "$REPO/$model/1/model.tosa")
  planned=$(planned_bytes "$WORK_DIR/memory_$model.log" "$model")
  MODEL_ROWS+=("{\"model\": \"$model\", \"rss_kib\": $loaded_kib, \"anon_kib\": $loaded_anon_kib, \"served_rss_kib\": $served_kib, \"served_anon_kib\": $served_anon_kib, \"file_bytes\": $weights, \"planned_activation_bytes\": $planned}")
  stop_inferd
done

join_rows() {
  local IFS=,
  echo "$*"
}
cat >"$RESULTS_DIR/memory.json" <<JSON
{"idle_rss_kib": $IDLE_KIB, "idle_anon_kib": $IDLE_ANON_KIB,
 "models": [$(join_rows "${MODEL_ROWS[@]}")],
 "cycles_model": "digits_fp32",
 "cycles": [$(join_rows "${CYCLE_ROWS[@]}")]}
JSON

if ((MEMORY_ONLY)); then
  /usr/bin/python3 "$ROOT/benchmarks/scaling/scaling_report.py" --results "$RESULTS_DIR" --memory-only
  exit
fi

# --- throughput and latency ------------------------------------------------------------------------

LOADED=(digits_fp32 digits_int8 "${THREAD_MODELS[@]}")
((HAVE_MOBILENET)) && LOADED+=(mobilenet_int8 mobilenet_fp32)
LOAD_ARGS=()
for model in "${LOADED[@]}"; do LOAD_ARGS+=(--load-model "$model"); done
start_inferd sweep --model-control-mode=explicit "${LOAD_ARGS[@]}"
for model in "${LOADED[@]}"; do
  "$LOAD" --wait-ready "$DAEMON_ADDRESS" --model "$model" --wait-timeout-s "$STARTUP_TIMEOUT_S" \
    2>/dev/null || die "$model never became ready"
done

# measure FILE MODEL ARGS...: one inferd_serving_load run against the sweep's daemon.
measure() {
  local file=$1 model=$2
  shift 2
  echo "run_scaling_report: $file" >&2
  "$LOAD" --inferd "$DAEMON_ADDRESS" --baseline "" --model "$model" --json "$RESULTS_DIR/$file" \
    "$@" >/dev/null 2>"$WORK_DIR/load.err" ||
    { cat "$WORK_DIR/load.err" >&2; die "inferd_serving_load failed for $file"; }
}

window_of() { if [[ $1 == mobilenet* ]]; then echo "${BIG_WINDOW[@]}"; else echo "${WINDOW[@]}"; fi; }

for batch in "${BATCHES[@]}"; do
  measure "batch_$batch.json" digits_fp32 --batch "$batch" --concurrency 1 "${WINDOW[@]}"
done
measure concurrency.json digits_fp32 --concurrency "$CONCURRENCY" "${WINDOW[@]}"
for model in "${SIZE_MODELS[@]}"; do
  # shellcheck disable=SC2046  # the window is a list of flags
  measure "model_$model.json" "$model" --concurrency 1 $(window_of "$model")
done
for model in "${THREAD_MODELS[@]}"; do
  # shellcheck disable=SC2046
  measure "threads_${model##*_}.json" "$model" --concurrency 1 $(window_of "$model")
done
stop_inferd

REPORT_ARGS=(--results "$RESULTS_DIR" --cpus "$(nproc)")
[[ -z $PLOTS_DIR ]] || REPORT_ARGS+=(--plots "$PLOTS_DIR")
/usr/bin/python3 "$ROOT/benchmarks/scaling/scaling_report.py" "${REPORT_ARGS[@]}"
