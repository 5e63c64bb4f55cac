// LatencySummary: nearest-rank percentiles of one run's request latencies, the figures a serving
// benchmark reports.
#pragma once

#include <cstdint>
#include <vector>

namespace inferd::bench {

struct LatencySummary {
  int64_t count = 0;
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
};

// Summarises latencies given in nanoseconds. Sorts `samples_ns` in place rather than copying a
// few hundred thousand samples. An empty input gives an all-zero summary.
LatencySummary SummarizeLatencies(std::vector<int64_t>& samples_ns);

// Nearest-rank percentile (the smallest sample with at least `fraction` of the samples at or below
// it) of already sorted samples; 0 when empty. `fraction` is in (0, 1].
int64_t NearestRankPercentile(const std::vector<int64_t>& sorted_ns, double fraction);

}  // namespace inferd::bench
