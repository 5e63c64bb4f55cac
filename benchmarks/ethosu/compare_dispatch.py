#!/usr/bin/python3
"""Runs two builds of ethosu_dispatch (a baseline and a change) interleaved, ROUNDS times each with
5 repetitions, and prints each benchmark's median over all repetitions, the pool job against the
raw round trip, and throughput with 2 and 4 agents against 1.

Usage: compare_dispatch.py BASELINE_BINARY CHANGED_BINARY ROUNDS ["taskset -c 1"]
The optional last argument prefixes both commands (to pin them to one core, for example).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile


def run_once(prefix, binary):
    """One run of every benchmark: {name: [(real_time_ns, counters)]} for each repetition."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        subprocess.run(prefix + [binary, "--benchmark_repetitions=5", "--benchmark_min_time=0.3",
                                 f"--benchmark_out={out}", "--benchmark_out_format=json"],
                       check=True, capture_output=True)
        with open(out) as f:
            data = json.load(f)
    runs = {}
    for entry in data["benchmarks"]:
        if entry.get("run_type") == "iteration":
            runs.setdefault(entry["run_name"], []).append(entry)
    return runs


def median_of(entries, key):
    values = [e[key] for e in entries if key in e]
    return statistics.median(values) if values else float("nan")


def main():
    base, changed, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    prefix = sys.argv[4].split() if len(sys.argv) > 4 else []
    results = {"base": {}, "new": {}}
    for _ in range(rounds):
        for label, binary in (("base", base), ("new", changed)):
            for name, entries in run_once(prefix, binary).items():
                results[label].setdefault(name, []).extend(entries)
    for label, runs in results.items():
        print(f"== {label}")
        for name, entries in runs.items():
            line = f"  {name:40s} median {median_of(entries, 'real_time') / 1000:9.1f} us"
            line += f"  (n={len(entries)})"
            if any("items_per_second" in e for e in entries):
                line += f"  {median_of(entries, 'items_per_second') / 1000:.1f}k jobs/s"
            if any("cpu_us_per_job" in e for e in entries):
                line += f"  cpu/job {median_of(entries, 'cpu_us_per_job'):.1f} us"
            print(line)
    for label, runs in results.items():
        raw = median_of(runs["BM_RawRoundTrip/real_time"], "real_time")
        pool = median_of(runs["BM_PoolDispatch/real_time"], "real_time")
        line = f"{label}: pool/raw = {pool / raw:.2f}"
        if "BM_AgentCompute/real_time" in runs:
            compute = median_of(runs["BM_AgentCompute/real_time"], "real_time")
            line += f"; (pool - agent compute)/raw = {(pool - compute) / raw:.2f}"
        jobs = {n: median_of(runs[f"BM_PoolThroughput/{n}/real_time"], "items_per_second")
                for n in (1, 2, 4)}
        line += f"; throughput 2/1 = {jobs[2] / jobs[1]:.2f}, 4/1 = {jobs[4] / jobs[1]:.2f}"
        print(line)


if __name__ == "__main__":
    main()
