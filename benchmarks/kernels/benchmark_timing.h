// What the whole-graph benchmarks (MobileNetV2-shaped, transformer block) share: the subjects they
// time interleaved in one process, their medians and distributions, the ratios against XNNPACK and
// the instruction-set path the optimised kernels took.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace inferd::bench {

double Median(std::vector<double> v);
// The value below which `fraction` of the samples lie (nearest rank).
double Percentile(std::vector<double> v, double fraction);

// The instruction-set path the optimised kernels take on this CPU: the tile kernels'
// (convolutions, MATMUL) and the requantisation spans' tables, and what the CPU offers.
std::string InstructionSetPath();
// The tile kernels' name, "none" when the CPU has no optimised path.
std::string TileKernelsName();

// One thing timed: its samples are wall-clock and this thread's CPU time of one run, in ms. On a
// loaded machine the CPU time of a single-threaded subject is the steadier measure;
// multi-threaded subjects only have wall time.
struct Subject {
  std::string name;
  std::function<absl::Status()> run;
  int runs;
  bool single_threaded;
  std::vector<double> wall;
  std::vector<double> cpu;
};

// The executor's subjects, in the order PrintResults expects: the reference kernels on 1 thread
// (`reference_runs` samples), the optimised kernels on 1 and on `threads` threads.
std::vector<Subject> ExecutorSubjects(std::function<absl::Status()> reference,
                                      std::function<absl::Status()> optimised,
                                      std::function<absl::Status()> optimised_threaded, int runs,
                                      int reference_runs, int threads);
// XNNPACK running `what` on `threads` threads.
Subject XnnpackSubject(const std::string& what, int threads, std::function<absl::Status()> run,
                       int runs);

// Runs every subject once (warm-up: first touch of arenas and scratch); exits on a failed run.
void WarmUp(std::vector<Subject>& subjects);
// Interleaved: each round runs every subject still owed samples once.
void RunInterleaved(std::vector<Subject>& subjects);
// The medians (ratios against subjects[1], ours on 1 thread), the multi-threaded subjects'
// distributions and, when `with_xnnpack`, ours / XNNPACK at 1 and `threads` threads. The subjects
// are, in order: reference, ours x1, ours x`threads`, then XNNPACK x1 and x`threads`.
void PrintResults(const std::vector<Subject>& subjects, int threads, bool with_xnnpack);

// Warm caches: runs ours (subjects[1]) and, when `with_xnnpack`, XNNPACK (subjects[3]) on 1
// thread, each alone `runs` times back to back, and prints their median thread-CPU times and
// ratio. Interleaved samples follow other subjects' runs and pauses, so they see colder caches.
void RunBackToBack(const std::vector<Subject>& subjects, bool with_xnnpack);

}  // namespace inferd::bench
