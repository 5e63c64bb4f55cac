#!/usr/bin/env bash
# The tosa_vulkan backend's speed on a real GPU, in one prepared run that builds nothing and ends
# within 8 minutes: the Vulkan devices, large MATMUL and CONV2D throughput in FP32, FP16 and INT8
# against the device's FP32 peak with the tiled MATMUL beside its baseline
# (inferd_vulkan_peak_benchmark), the cost of a storage-buffer load against a texel fetch
# (inferd_vulkan_load_paths_benchmark), MobileNetV2 batch-1 latency beside the CPU backend and
# batch-64 throughput, item by item and as one pass over the graph widened to the batch, and a
# batch of 48 through the backend with passes of 16, 32 and 64 (a pass of 32 and one of 16)
# against item by item (inferd_vulkan_mobilenet_benchmark). Everything it prints also goes to
# $OUT/real_gpu_check.txt when OUT is set.
#
#   benchmarks/vulkan/real_gpu_check.sh BUILD_DIR
#   MATMUL=1,256,256,256 LARGE_MATMUL=1,512,512,512 CONV=1,28,28,64,64,3 BATCH=4 RUNS=3 \
#     benchmarks/vulkan/real_gpu_check.sh build          # small sizes, for lavapipe
#
# Environment: MATMUL (N,H,C,W; default 1,1024,1024,1024), LARGE_MATMUL (FP32 only; default
# 1,4096,4096,4096), CONV (N,H,W,IC,OC,K; default 1,56,56,256,256,3), RUNS (default 10), BATCH
# (default 64), PEAK_GFLOPS (the device's FP32 peak where the benchmark's table lacks it),
# MOBILENET_DIR (the .tosa graphs, where BUILD_DIR/benchmarks/kernels/models is not on this
# machine), VK_ICD_FILENAMES as the Vulkan loader reads it (docs/vulkan.md, "Containers and real
# GPUs"). Each step has its own time limit; a step that fails or runs out is reported and the
# next one runs.
set -uo pipefail

BUILD_DIR=${1:?usage: real_gpu_check.sh BUILD_DIR}
PEAK=$BUILD_DIR/benchmarks/vulkan/inferd_vulkan_peak_benchmark
MOBILENET=$BUILD_DIR/benchmarks/vulkan/inferd_vulkan_mobilenet_benchmark
LOAD_PATHS=$BUILD_DIR/benchmarks/vulkan/inferd_vulkan_load_paths_benchmark
MATMUL=${MATMUL:-1,1024,1024,1024}
LARGE_MATMUL=${LARGE_MATMUL:-1,4096,4096,4096}
CONV=${CONV:-1,56,56,256,256,3}
RUNS=${RUNS:-10}
BATCH=${BATCH:-64}
for binary in "$PEAK" "$MOBILENET"; do
  [[ -x $binary ]] || { echo "real_gpu_check: $binary is missing (this script builds nothing)" >&2; exit 1; }
done
if [[ -n ${MOBILENET_DIR:-} ]]; then export INFERD_MOBILENET_DIR=$MOBILENET_DIR; fi
PEAK_FLAGS=()
if [[ -n ${PEAK_GFLOPS:-} ]]; then PEAK_FLAGS=(--peak-gflops "$PEAK_GFLOPS"); fi

REPORT=/dev/null
if [[ -n ${OUT:-} ]]; then
  mkdir -p "$OUT"
  REPORT=$OUT/real_gpu_check.txt
  : > "$REPORT"
fi

# Runs one step under `timeout` with its limit in seconds, output to the terminal and the report.
step() {
  local limit=$1 title=$2
  shift 2
  echo "=== $title ($(date -u +%H:%M:%S), limit ${limit}s): $*" | tee -a "$REPORT"
  timeout --kill-after=5 "$limit" "$@" 2>&1 | tee -a "$REPORT"
  local status=${PIPESTATUS[0]}
  if [[ $status -ne 0 ]]; then
    echo "=== $title: exit status $status$([[ $status -eq 124 ]] && echo ' (time limit)')" | tee -a "$REPORT"
  fi
}

# 20 + 140 + 75 + 15 + 100 + 85 + 40 = 475 s of limits, under 8 minutes with the steps' start-up.
{
  echo "real_gpu_check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
  grep -m1 'model name' /proc/cpuinfo
  if command -v nvidia-smi >/dev/null; then nvidia-smi -L; fi
} 2>&1 | tee -a "$REPORT"
if command -v vulkaninfo >/dev/null; then
  step 20 "Vulkan devices" vulkaninfo --summary
fi
# --both-blocks: the tiled MATMUL with 8 x 8 and 4 x 4 register blocks, to see which the GPU
# prefers at each size (op_lowering_tiled.cc picks by size alone).
step 140 "MATMUL and CONV2D, FP32 FP16 INT8" "$PEAK" --matmul "$MATMUL" --conv "$CONV" \
  --runs "$RUNS" --both-blocks "${PEAK_FLAGS[@]}"
step 75 "large FP32 MATMUL" "$PEAK" --matmul "$LARGE_MATMUL" --ops matmul --types f32 \
  --runs "$RUNS" --both-blocks "${PEAK_FLAGS[@]}"
# Storage-buffer loads against texel-buffer fetches: whether the device would reward moving the
# shaders' loads (on lavapipe texel fetches are about 3.5 times cheaper).
if [[ -x $LOAD_PATHS ]]; then
  step 15 "storage-buffer loads against texel fetches" "$LOAD_PATHS" --runs "$RUNS"
fi
step 100 "MobileNetV2 batch 1 (latency, beside the CPU backend)" "$MOBILENET" --runs "$RUNS"
step 85 "MobileNetV2 batch $BATCH (throughput)" "$MOBILENET" --batch "$BATCH" \
  --runs "$(( RUNS < 5 ? RUNS : 5 ))"
# A batch no pass is built for, as the scheduler hands one to the backend: the passes that fit it
# (batch_plan.h) against item by item.
step 40 "MobileNetV2 batch 48 with passes of 16, 32 and 64 (through the backend)" "$MOBILENET" \
  --batch 48 --passes 16,32,64 --graphs int8 --runs "$(( RUNS < 3 ? RUNS : 3 ))"
echo "=== done $(date -u +%H:%M:%S)" | tee -a "$REPORT"
