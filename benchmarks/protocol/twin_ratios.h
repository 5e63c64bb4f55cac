// TwinRatios: each inferd subject against its own bare twin (the same protocol answered by
// inferd_echo_server), as the median of the per-round ratios of runs made back to back, so that a
// protocol's figure is read against that protocol's floor rather than against gRPC unary's.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "benchmarks/serving/closed_loop_run.h"
#include "benchmarks/serving/serving_report.h"

namespace inferd::bench {

struct TwinPair {
  std::string subject;  // an inferd subject, e.g. "http_json"
  std::string twin;     // its bare twin, e.g. "echo_http_json"
};

class TwinRatios {
 public:
  TwinRatios(std::string model, std::vector<TwinPair> pairs, std::vector<int> concurrency_levels);

  bool empty() const { return pairs_.empty(); }

  // A run of subject or twin `name`; runs of names in no pair are ignored.
  void Add(const std::string& name, const ClosedLoopResult& run);

  // "ratio to its own bare twin" with one row per subject and level.
  std::string FormatTable() const;
  // A JSON array of {"model", "target", "twin", "concurrency", "p50_ratio", "throughput_ratio"}.
  std::string ToJson() const;

 private:
  struct Pair {
    TwinPair names;
    // A report of the two with the twin as its baseline: its Ratios() are subject / twin.
    std::unique_ptr<ServingReport> report;
  };

  std::string model_;
  std::vector<Pair> pairs_;
};

}  // namespace inferd::bench
