#!/usr/bin/python3
"""Prints the scaling report's table and, with --plots, writes its SVG plots.

Reads what run_scaling_report.sh left in --results: inferd_serving_load's JSON reports
(batch_N.json, concurrency.json, model_NAME.json, threads_N.json) and memory.json (idle RSS, RSS
with each model loaded alone, RSS over load/unload cycles). Runs on Debian's python3 with
python3-matplotlib (only needed for --plots).

    /usr/bin/python3 benchmarks/scaling/scaling_report.py --results DIR [--plots DIR] [--cpus N]
    /usr/bin/python3 benchmarks/scaling/scaling_report.py --results DIR --memory-only
"""

import argparse
import glob
import json
import os
import re
import sys

# The memory goals of issue 11: idle under 25 MB; a loaded model under 1.5x its weights plus its
# planned activations; no growth over load/unload cycles (within the allocator's slack).
IDLE_GOAL_BYTES = 25 * 1000 * 1000
MODEL_GOAL_FACTOR = 1.5
CYCLE_SLACK_KIB = 1024


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def median_point(report):
    """(throughput req/s, p50 us, p99 us) of the run's one target, one level per entry."""
    points = {}
    for result in report["results"]:
        median = result["median"]
        points[result["concurrency"]] = (median["throughput_rps"], median["p50_us"],
                                         median["p99_us"])
    return points


def number_suffix(path, prefix):
    match = re.fullmatch(prefix + r"_(\d+)\.json", os.path.basename(path))
    return int(match.group(1)) if match else None


def collect(results_dir):
    """Every sweep as a list of rows (x label, x value, items/s, req/s, p50 us, p99 us)."""
    sweeps = {}
    rows = []
    for path in sorted(glob.glob(os.path.join(results_dir, "batch_*.json")),
                       key=lambda p: number_suffix(p, "batch")):
        batch = number_suffix(path, "batch")
        (rps, p50, p99), = median_point(read_json(path)).values()
        rows.append((str(batch), batch, rps * batch, rps, p50, p99))
    sweeps["batch size (digits_fp32, 1 client)"] = rows

    rows = []
    path = os.path.join(results_dir, "concurrency.json")
    if os.path.exists(path):
        for level, (rps, p50, p99) in sorted(median_point(read_json(path)).items()):
            rows.append((str(level), level, rps, rps, p50, p99))
    sweeps["concurrency (digits_fp32, batch 1)"] = rows

    rows = []
    sized = []
    for path in glob.glob(os.path.join(results_dir, "model_*.json")):
        name = os.path.basename(path)[len("model_"):-len(".json")]
        (rps, p50, p99), = median_point(read_json(path)).values()
        sized.append((p50, name, rps, p99))
    for index, (p50, name, rps, p99) in enumerate(sorted(sized)):
        rows.append((name, index, rps, rps, p50, p99))
    sweeps["model size (1 client, batch 1)"] = rows

    rows = []
    thread_model = ""
    for path in sorted(glob.glob(os.path.join(results_dir, "threads_*.json")),
                       key=lambda p: number_suffix(p, "threads")):
        threads = number_suffix(path, "threads")
        report = read_json(path)
        thread_model = re.sub(r"_threads_\d+$", "", report["model"])
        (rps, p50, p99), = median_point(report).values()
        rows.append((str(threads), threads, rps, rps, p50, p99))
    sweeps[f"cpu_threads ({thread_model or 'none'}, 1 client, batch 1)"] = rows
    return sweeps


def format_sweeps(sweeps, cpus):
    lines = [f"inferd scaling report ({cpus} CPUs; medians of the runs in each JSON report)"]
    for title, rows in sweeps.items():
        lines.append("")
        lines.append(title)
        lines.append(f"  {'x':>16} {'items/s':>10} {'req/s':>10} {'p50 us':>10} {'p99 us':>10}")
        for label, _, items, rps, p50, p99 in rows:
            lines.append(f"  {label:>16} {items:10.1f} {rps:10.1f} {p50:10.1f} {p99:10.1f}")
    return lines


def format_memory(memory):
    mb = 1e6
    lines = ["", "memory (VmRSS of the daemon; anon: its RssAnon part, i.e. not pages of mapped files)"]
    idle = memory["idle_rss_kib"] * 1024
    idle_anon = memory["idle_anon_kib"] * 1024
    verdict = "meets" if idle < IDLE_GOAL_BYTES else "MISSES"
    lines.append(f"  idle, no model loaded: {idle / mb:.1f} MB, anon {idle_anon / mb:.1f} MB "
                 f"({verdict} the goal of < {IDLE_GOAL_BYTES / mb:.0f} MB)")
    lines.append("  (+idle: loaded and ready; +served: after a few requests, which touch the activations)")
    lines.append(f"  {'model':>16} {'RSS MB':>8} {'+idle MB':>9} {'+anon MB':>9} {'+served MB':>10}"
                 f" {'file MB':>8} {'activ. MB':>9} {'limit MB':>9}  goal (+served < limit)")
    for model in memory["models"]:
        rss = model["rss_kib"] * 1024
        added = rss - idle
        added_anon = model["anon_kib"] * 1024 - idle_anon
        # Reports from before the served column judged the ready daemon.
        served = model.get("served_rss_kib", model["rss_kib"]) * 1024 - idle
        limit = MODEL_GOAL_FACTOR * model["file_bytes"] + model["planned_activation_bytes"]
        verdict = "meets" if served < limit else "MISSES"
        lines.append(f"  {model['model']:>16} {rss / mb:8.1f} {added / mb:9.3f} {added_anon / mb:9.3f} "
                     f"{served / mb:10.3f} {model['file_bytes'] / mb:8.3f} "
                     f"{model['planned_activation_bytes'] / mb:9.3f} {limit / mb:9.3f}  {verdict}")
    cycles = memory["cycles"]
    if cycles:
        first_count, first_kib, _ = cycles[0]
        last_count, last_kib, _ = cycles[-1]
        growth = last_kib - first_kib
        verdict = "meets" if growth <= CYCLE_SLACK_KIB else "MISSES"
        lines.append(f"  {memory['cycles_model']} load/unload cycles: RSS "
                     + ", ".join(f"{kib / 1024:.1f} MiB after {count}" for count, kib, _ in cycles))
        lines.append(f"  growth from cycle {first_count} to {last_count}: {growth} KiB ({verdict} "
                     f"the goal of none beyond {CYCLE_SLACK_KIB} KiB of allocator slack)")
    return lines


def plot(sweeps, memory, plots_dir):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("svg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    # Text stays text and ids are stable: small SVGs that diff cleanly between runs.
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "inferd-scaling",
                         "font.size": 9})
    os.makedirs(plots_dir, exist_ok=True)
    names = {"batch": "scaling_batch.svg", "concurrency": "scaling_concurrency.svg",
             "model": "scaling_model.svg", "cpu_threads": "scaling_threads.svg"}
    written = []
    for title, rows in sweeps.items():
        if not rows:
            continue
        key = next(k for k in names if title.startswith(k))
        labels = [r[0] for r in rows]
        xs = [r[1] for r in rows]
        figure, (left, right) = plt.subplots(1, 2, figsize=(7.5, 2.8))
        left.plot(xs, [r[2] for r in rows], marker="o")
        left.set_ylabel("images/s" if key == "batch" else "requests/s")
        right.plot(xs, [r[4] / 1000 for r in rows], marker="o", label="p50")
        right.plot(xs, [r[5] / 1000 for r in rows], marker="s", label="p99")
        right.set_ylabel("latency, ms")
        right.legend()
        for axis in (left, right):
            if key in ("batch", "concurrency"):
                axis.set_xscale("log", base=2)
            axis.set_xticks(xs)
            axis.set_xticklabels(labels, rotation=20 if key == "model" else 0)
            axis.set_xlabel(title)
            axis.grid(True, alpha=0.3)
        if key == "model":
            left.set_yscale("log")
            right.set_yscale("log")
        figure.tight_layout()
        path = os.path.join(plots_dir, names[key])
        figure.savefig(path, metadata={"Date": None})
        plt.close(figure)
        written.append(path)
    if memory and memory["cycles"]:
        figure, axis = plt.subplots(figsize=(7.5, 2.4))
        counts = [c for c, _, _ in memory["cycles"]]
        axis.plot(counts, [kib / 1024 for _, kib, _ in memory["cycles"]], marker="o",
                  label=f"RSS after N load/unload cycles of {memory['cycles_model']}")
        axis.plot(counts, [anon / 1024 for _, _, anon in memory["cycles"]], marker="s",
                  label="its anonymous part")
        axis.axhline(memory["idle_rss_kib"] / 1024, color="grey", linestyle="--",
                     label="idle, before any load")
        axis.set_xlabel("load/unload cycles")
        axis.set_ylabel("daemon RSS, MiB")
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
        axis.legend()
        figure.tight_layout()
        path = os.path.join(plots_dir, "scaling_memory.svg")
        figure.savefig(path, metadata={"Date": None})
        plt.close(figure)
        written.append(path)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="run_scaling_report.sh's results folder")
    parser.add_argument("--plots", help="write the SVG plots into this folder")
    parser.add_argument("--cpus", type=int, default=os.cpu_count(), help="for the table's title")
    parser.add_argument("--memory-only", action="store_true",
                        help="print the memory part alone (run_scaling_report.sh --memory-only)")
    args = parser.parse_args()
    if args.memory_only:
        memory_path = os.path.join(args.results, "memory.json")
        if not os.path.exists(memory_path):
            print("scaling_report: no results for: memory (memory.json)", file=sys.stderr)
            return 1
        print("\n".join(format_memory(read_json(memory_path))[1:]))
        return 0
    sweeps = collect(args.results)
    memory_path = os.path.join(args.results, "memory.json")
    memory = read_json(memory_path) if os.path.exists(memory_path) else None
    lines = format_sweeps(sweeps, args.cpus)
    if memory:
        lines += format_memory(memory)
    print("\n".join(lines))
    # A report with a hole is an error (the smoke test relies on it), after printing what there is.
    missing = [title for title, rows in sweeps.items() if not rows]
    if memory is None:
        missing.append("memory (memory.json)")
    if missing:
        print(f"scaling_report: no results for: {'; '.join(missing)}", file=sys.stderr)
        return 1
    if args.plots:
        for path in plot(sweeps, memory, args.plots):
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
