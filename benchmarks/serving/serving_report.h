// ServingReport: collects the repeated closed-loop runs of every target and concurrency and turns
// them into medians, target/baseline ratios, a human table and JSON.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "benchmarks/serving/closed_loop_run.h"

namespace inferd::bench {

struct ReportTarget {
  std::string name;
  std::string address;
};

// What was measured and how; printed above the table and stored in the JSON.
struct ReportSetup {
  std::string model;
  std::string inputs;  // DescribeInputSpecs()
  size_t request_bytes = 0;
  std::string channel_mode;
  std::string window;  // "2.0 s" or "1000 requests"
  int64_t warmup_requests = 0;
  int repeats = 0;
  uint64_t seed = 0;
  std::vector<ReportTarget> targets;
  std::vector<int> concurrency_levels;
  std::string baseline;  // target name ratios divide by; empty: no ratios
};

// Medians over the repeats of one target at one concurrency, each figure taken on its own.
struct MedianFigures {
  double requests = 0;
  double throughput_rps = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  int64_t errors = 0;  // summed, not a median: any error matters
};

// target / baseline at one concurrency: the median of the per-repeat ratios, so that each ratio
// compares two runs made back to back under the same machine noise.
struct RatioFigures {
  std::string target;
  int concurrency = 0;
  double p50_ratio = 0;
  double throughput_ratio = 0;
};

class ServingReport {
 public:
  explicit ServingReport(ReportSetup setup) : setup_(std::move(setup)) {}

  void Add(const std::string& target, const ClosedLoopResult& run);

  MedianFigures Medians(const std::string& target, int concurrency) const;
  std::vector<RatioFigures> Ratios() const;

  std::string FormatTable() const;
  std::string ToJson() const;

 private:
  const std::vector<ClosedLoopResult>* Runs(const std::string& target, int concurrency) const;

  ReportSetup setup_;
  std::map<std::pair<std::string, int>, std::vector<ClosedLoopResult>> runs_;
};

// Writes `text` (a report's JSON) to `path`; an empty path writes nothing.
absl::Status WriteReportFile(const std::string& path, const std::string& text);

}  // namespace inferd::bench
