#include "benchmarks/kernels/benchmark_timing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <thread>
#include <utility>

#include "absl/strings/str_format.h"
#include "backends/cpu/kernels/optimized/cpu_features.h"
#include "backends/cpu/kernels/optimized/rescale_kernels.h"
#include "backends/cpu/kernels/optimized/tile_kernels.h"

namespace inferd::bench {
namespace {

namespace opt = ::inferd::cpu::kernels::optimized;

struct Sample {
  double wall_ms;
  double cpu_ms;
};

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

Sample TimeRun(const std::function<absl::Status()>& run) {
  const double cpu_start = ThreadCpuMs();
  const auto start = std::chrono::steady_clock::now();
  const absl::Status status = run();
  const double wall =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const double cpu = ThreadCpuMs() - cpu_start;
  if (!status.ok()) {
    std::cerr << "run failed: " << status << "\n";
    std::exit(1);
  }
  return {wall, cpu};
}

}  // namespace

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double fraction) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::lround(fraction * static_cast<double>(v.size() - 1)));
  return v[std::min(rank, v.size() - 1)];
}

std::string TileKernelsName() {
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  return tiles != nullptr ? tiles->name : "none";
}

std::string InstructionSetPath() {
  const opt::TileKernels* tiles = opt::SelectTileKernels();
  const opt::RescaleKernels* rescale = opt::SelectRescaleKernels();
  return absl::StrFormat(
      "tile kernels %s, RESCALE spans %s (CPU: AVX2+FMA %s, AVX-512F %s, AVX-512 VNNI %s, NEON "
      "%s)",
      tiles != nullptr ? tiles->name : "none (reference kernels)",
      rescale != nullptr ? rescale->name : "none", opt::CpuHasAvx2Fma() ? "yes" : "no",
      opt::CpuHasAvx512F() ? "yes" : "no", opt::CpuHasAvx512Vnni() ? "yes" : "no",
      opt::CpuHasNeon() ? "yes" : "no");
}

std::vector<Subject> ExecutorSubjects(std::function<absl::Status()> reference,
                                      std::function<absl::Status()> optimised,
                                      std::function<absl::Status()> optimised_threaded, int runs,
                                      int reference_runs, int threads) {
  const std::string kernels = TileKernelsName();
  std::vector<Subject> subjects;
  subjects.push_back(
      {"reference kernels (1 thread)", std::move(reference), reference_runs, true, {}, {}});
  subjects.push_back({absl::StrFormat("optimised kernels [%s] (1 thread)", kernels),
                      std::move(optimised),
                      runs,
                      true,
                      {},
                      {}});
  subjects.push_back({absl::StrFormat("optimised kernels [%s] (%d threads)", kernels, threads),
                      std::move(optimised_threaded),
                      runs,
                      false,
                      {},
                      {}});
  return subjects;
}

Subject XnnpackSubject(const std::string& what, int threads, std::function<absl::Status()> run,
                       int runs) {
  return {absl::StrFormat("XNNPACK %s (%d thread%s)", what, threads, threads == 1 ? "" : "s"),
          std::move(run),
          runs,
          threads == 1,
          {},
          {}};
}

void WarmUp(std::vector<Subject>& subjects) {
  for (Subject& s : subjects) TimeRun(s.run);
}

void RunInterleaved(std::vector<Subject>& subjects) {
  int rounds = 0;
  for (const Subject& s : subjects) rounds = std::max(rounds, s.runs);
  for (int r = 0; r < rounds; ++r) {
    for (Subject& s : subjects) {
      if (r < s.runs) {
        const Sample sample = TimeRun(s.run);
        s.wall.push_back(sample.wall_ms);
        s.cpu.push_back(sample.cpu_ms);
        // Thread-pool workers poll for a while after a run (pthreadpool's for tens of ms): let
        // them go to sleep so they do not take a core from the next subject.
        if (!s.single_threaded) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
}

void RunBackToBack(const std::vector<Subject>& subjects, bool with_xnnpack) {
  std::vector<double> medians;
  for (size_t i : {size_t{1}, size_t{3}}) {
    if (i == 3 && !with_xnnpack) break;
    std::vector<Subject> alone = {subjects[i]};
    alone[0].wall.clear();
    alone[0].cpu.clear();
    RunInterleaved(alone);
    medians.push_back(Median(alone[0].cpu));
    std::cout << absl::StrFormat("  back to back: %-40s %5d runs, median %.3f ms thread-CPU\n",
                                 alone[0].name, alone[0].cpu.size(), medians.back());
  }
  if (medians.size() == 2) {
    std::cout << absl::StrFormat("  back to back: ours / XNNPACK, 1 thread %.2fx thread-CPU\n",
                                 medians[0] / medians[1]);
  }
}

void PrintResults(const std::vector<Subject>& subjects, int threads, bool with_xnnpack) {
  const double base_wall = Median(subjects[1].wall);
  const double base_cpu = Median(subjects[1].cpu);
  std::cout << absl::StrFormat("  %-40s %5s %12s %8s %12s %8s\n", "subject", "runs", "wall ms",
                               "ratio", "thread-CPU ms", "ratio");
  for (const Subject& s : subjects) {
    const double wall = Median(s.wall);
    if (s.single_threaded) {
      const double cpu = Median(s.cpu);
      std::cout << absl::StrFormat("  %-40s %5d %12.3f %7.2fx %12.3f %7.2fx\n", s.name,
                                   s.wall.size(), wall, wall / base_wall, cpu, cpu / base_cpu);
    } else {
      std::cout << absl::StrFormat("  %-40s %5d %12.3f %7.2fx %12s %8s\n", s.name, s.wall.size(),
                                   wall, wall / base_wall, "-", "-");
    }
  }
  std::cout << "  (medians; ratio = subject / optimised kernels, 1 thread)\n";
  // Multi-threaded subjects spread most on a shared machine (a descheduled thread stalls an
  // operator), so their whole distribution, not only the median.
  std::cout << absl::StrFormat("  %-40s %8s %8s %8s %8s %8s  (wall ms)\n", "distribution", "min",
                               "p10", "median", "p90", "max");
  for (const Subject& s : subjects) {
    if (s.single_threaded) continue;
    std::cout << absl::StrFormat("  %-40s %8.3f %8.3f %8.3f %8.3f %8.3f\n", s.name,
                                 Percentile(s.wall, 0.0), Percentile(s.wall, 0.1), Median(s.wall),
                                 Percentile(s.wall, 0.9), Percentile(s.wall, 1.0));
  }
  if (with_xnnpack && subjects.size() >= 5) {
    std::cout << absl::StrFormat(
        "  ours / XNNPACK: 1 thread %.2fx wall, %.2fx thread-CPU; %d threads %.2fx wall\n",
        Median(subjects[1].wall) / Median(subjects[3].wall),
        Median(subjects[1].cpu) / Median(subjects[3].cpu), threads,
        Median(subjects[2].wall) / Median(subjects[4].wall));
  }
}

}  // namespace inferd::bench
