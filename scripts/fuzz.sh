#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time over its corpus and reports, per target, executions,
# exec/s, coverage (libFuzzer's cov: edges and ft: features), corpus size and any finding
# (docs/testing.md, tests/fuzz/README.md).
#
#   scripts/fuzz.sh [--seconds N] [--target NAME]... [--keep-corpus] [--no-build]
#
#   --seconds N     time per target (default $INFERD_FUZZ_SECONDS or 60)
#   --target NAME   run only this target (repeatable); default: every target
#   --keep-corpus   grow the corpus in build-asan/fuzz/<target>/corpus across runs (default: a fresh
#                   temporary one each run, so CI runs are reproducible from the committed seeds)
#   --no-build      run the binaries as they are (while another build of build-asan/ is running)
#   --jobs N        targets fuzzed at once, each a process on a core of its own (default
#                   $INFERD_FUZZ_JOBS or the number of cores): each still gets its --seconds in full
#
# The targets come from the ASan+UBSan tree (build-asan/, scripts/sanitizers.sh), configured with
# -DINFERD_FUZZ=ON: libFuzzer in the targets, coverage instrumentation in every library. Seeds: the
# committed ones (tests/fuzz/seeds/<target>/, tests/backends/ethosu/fuzz_seeds/, examples/) and, for
# tosa_reader_fuzz, a temporary copy of the shared conformance set's .tosa files
# ($INFERD_TOSA_CONFORMANCE_DIR, default <repo>/../shared/tosa-conformance) when it is there.
# A finding (crash-, leak-, timeout-, oom- file) is minimised; the script prints where it is and the
# command that makes it a replay seed. Exit status: 0 when no target found anything.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/scripts/ccache-env.sh"
build_dir="${INFERD_ASAN_BUILD_DIR:-$repo_root/build-asan}"
seconds="${INFERD_FUZZ_SECONDS:-60}"
keep_corpus=0
no_build=0
jobs="${INFERD_FUZZ_JOBS:-$(nproc)}"
targets=()
while (($# > 0)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --target) targets+=("$2"); shift 2 ;;
    --target=*) targets+=("${1#*=}"); shift ;;
    --keep-corpus) keep_corpus=1; shift ;;
    --no-build) no_build=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    *) echo "usage: $0 [--seconds N] [--target NAME]... [--keep-corpus] [--no-build] [--jobs N]" >&2; exit 2 ;;
  esac
done

[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --jobs takes a positive integer, not '$jobs'" >&2; exit 2; }

all_targets=(tosa_reader_fuzz npy_fuzz model_config_fuzz infer_request_fuzz http_request_fuzz target_protocol_fuzz
  vela_bin_stream_fuzz executorch_program_fuzz bundled_program_fuzz vgf_reader_fuzz spirv_graph_fuzz)
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")

fuzz_seeds="$repo_root/tests/fuzz/seeds"
ethosu_seeds="$repo_root/tests/backends/ethosu/fuzz_seeds"
conformance_dir="${INFERD_TOSA_CONFORMANCE_DIR:-$repo_root/../shared/tosa-conformance}"

# Per target: the path of its binary in the build tree, its largest input, and its committed seeds
# (files or folders; libFuzzer reads folders recursively).
binary_of() {
  case "$1" in
    target_protocol_fuzz | vela_bin_stream_fuzz | executorch_program_fuzz)
      echo "$build_dir/tests/backends/ethosu/$1" ;;
    *) echo "$build_dir/tests/fuzz/$1" ;;
  esac
}
max_len_of() {
  case "$1" in
    tosa_reader_fuzz | executorch_program_fuzz | vela_bin_stream_fuzz | vgf_reader_fuzz) echo 32768 ;;
    *) echo 8192 ;;
  esac
}
# Seeds are copied into one folder per target so that each is a file of the right kind (libFuzzer would
# otherwise also read the README and .npy files that share a folder with the models).
gather_seeds() {  # target destination
  local target="$1" dest="$2"
  mkdir -p "$dest"
  local kind="${target%_fuzz}"
  [[ -d "$fuzz_seeds/$kind" ]] && cp -r "$fuzz_seeds/$kind/." "$dest/"
  case "$target" in
    tosa_reader_fuzz)
      find "$repo_root/examples" -name '*.tosa' -exec cp --backup=numbered -t "$dest" {} +
      if [[ -d "$conformance_dir" ]]; then
        # All are named test.tosa: numbered backups keep them apart, in a few cp processes.
        mkdir -p "$dest/conformance"
        find "$conformance_dir" -name '*.tosa' -exec cp --backup=numbered -t "$dest/conformance" {} +
        echo "fuzz: $target: $(find "$dest/conformance" -type f | wc -l) .tosa files of the shared" \
          "conformance set ($(realpath "$conformance_dir")) added as seeds"
      else
        echo "fuzz: $target: the shared conformance set is absent ($conformance_dir; set" \
          "INFERD_TOSA_CONFORMANCE_DIR); seeds are the committed ones only"
      fi
      ;;
    npy_fuzz) find "$repo_root/examples" -name '*.npy' -size -64k -exec cp --backup=numbered -t "$dest" {} + ;;
    model_config_fuzz)
      find "$repo_root/examples" "$repo_root/tests" -name 'config.pbtxt' \
        -exec cp --backup=numbered -t "$dest" {} +
      ;;
    target_protocol_fuzz) cp -r "$ethosu_seeds/frames/." "$dest/" ;;
    vela_bin_stream_fuzz) cp -r "$ethosu_seeds/vela/." "$dest/" ;;
    executorch_program_fuzz) cp -r "$ethosu_seeds/pte/." "$dest/" ;;
  esac
}
seed_home_of() {  # where a finding of this target is committed as a replay seed
  case "$1" in
    target_protocol_fuzz) echo "tests/backends/ethosu/fuzz_seeds/frames" ;;
    vela_bin_stream_fuzz) echo "tests/backends/ethosu/fuzz_seeds/vela" ;;
    executorch_program_fuzz) echo "tests/backends/ethosu/fuzz_seeds/pte" ;;
    *) echo "tests/fuzz/seeds/${1%_fuzz}" ;;
  esac
}

if ((!no_build)); then
  "$repo_root/scripts/sanitizers.sh" asan --configure-only
  if ! ninja -C "$build_dir" -j "${INFERD_BUILD_JOBS:-2}" "${targets[@]}" >"$build_dir/fuzz-build.log" 2>&1; then
    grep -E -A12 'error|FAILED' "$build_dir/fuzz-build.log" | head -60 >&2
    echo "fuzz: the build failed; the whole log is $build_dir/fuzz-build.log" >&2
    exit 1
  fi
fi

# The fuzz targets are the ASan+UBSan tree's: a report is a finding. Leaks are findings too.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
[[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]] && export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

run_root="$build_dir/fuzz"
mkdir -p "$run_root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One target's run; its summary line goes to $tmp/<target>.summary, and $tmp/<target>.failed marks
# a finding (the runs go side by side, so they report through files).
fuzz_one() {  # target
  local target="$1"
  local out="$run_root/$target"
  rm -rf "$out/artifacts" "$out/seeds"
  mkdir -p "$out/artifacts"
  local corpus seeds_count log rc execs speed status_line cov ft corp finding artifact minimized
  if ((keep_corpus)); then corpus="$out/corpus"; else corpus="$tmp/$target-corpus"; fi
  mkdir -p "$corpus"
  gather_seeds "$target" "$out/seeds"
  seeds_count=$(find "$out/seeds" -type f | wc -l)
  log="$out/fuzz.log"
  echo "fuzz: $target for ${seconds}s over $seeds_count seeds (log: $log)"
  set +e
  "$(binary_of "$target")" -max_total_time="$seconds" -max_len="$(max_len_of "$target")" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "$corpus" "$out/seeds" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # The last status line holds the final coverage: "#N ... cov: X ft: Y corp: U/Sb ...".
  status_line=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$status_line")
  finding="none"
  artifact=$(find "$out/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | head -1)
  if ((rc != 0)) || [[ -n "$artifact" ]]; then
    : >"$tmp/$target.failed"
    finding="exit $rc"
    if [[ -n "$artifact" ]]; then
      finding="$(basename "$artifact")"
      minimized="$out/artifacts/minimized-$(basename "$artifact")"
      # Crashes shrink with -minimize_crash; leaks and timeouts are kept as found.
      if [[ "$(basename "$artifact")" == crash-* ]]; then
        "$(binary_of "$target")" -minimize_crash=1 -max_total_time=30 -exact_artifact_path="$minimized" \
          "$artifact" >"$out/minimize.log" 2>&1 || true
      fi
      [[ -f "$minimized" ]] || cp "$artifact" "$minimized"
      echo "fuzz: $target FOUND $(basename "$artifact"); report in $log, minimised input $minimized"
      echo "fuzz:   make it a replay seed: cp $minimized $(seed_home_of "$target")/<what-it-is>.bin"
    fi
    grep -E -m1 -A25 'ERROR: |runtime error|==ERROR|deadly signal' "$log" || tail -30 "$log"
  fi
  printf '%-24s %12s %10s %7s %8s %16s  %s\n' "$target" "${execs:-?}" "${speed:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" "$finding" >"$tmp/$target.summary"
}

# libFuzzer is single-threaded: with one run per core the whole set takes about
# ceil(targets / jobs) * seconds (CI: 11 targets of 20 s on 2 cores).
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  fuzz_one "$target" &
done
wait

failed=0
summary=()
for target in "${targets[@]}"; do
  if [[ -f "$tmp/$target.summary" ]]; then
    summary+=("$(<"$tmp/$target.summary")")
    [[ -f "$tmp/$target.failed" ]] && failed=1
  else
    summary+=("$target: no result (the run did not finish)")
    failed=1
  fi
done

echo
echo "fuzz: ${seconds}s per target, $jobs at once ($(basename "$build_dir"), libFuzzer + ASan + UBSan)"
printf '%-24s %12s %10s %7s %8s %16s  %s\n' target executions exec/s cov ft corpus finding
printf '%s\n' "${summary[@]}"
exit $failed
