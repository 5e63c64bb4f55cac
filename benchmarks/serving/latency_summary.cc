#include "benchmarks/serving/latency_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace inferd::bench {

int64_t NearestRankPercentile(const std::vector<int64_t>& sorted_ns, double fraction) {
  if (sorted_ns.empty()) return 0;
  const auto n = static_cast<double>(sorted_ns.size());
  auto rank = static_cast<size_t>(std::ceil(fraction * n));
  rank = std::clamp<size_t>(rank, 1, sorted_ns.size());
  return sorted_ns[rank - 1];
}

LatencySummary SummarizeLatencies(std::vector<int64_t>& samples_ns) {
  LatencySummary summary;
  if (samples_ns.empty()) return summary;
  // A full sort of a few hundred thousand int64s takes milliseconds and happens outside the
  // measured window, so simplicity wins over nth_element here.
  std::sort(samples_ns.begin(), samples_ns.end());
  constexpr double kNsPerUs = 1000.0;
  summary.count = static_cast<int64_t>(samples_ns.size());
  const long double total = std::accumulate(samples_ns.begin(), samples_ns.end(), 0.0L);
  summary.mean_us = static_cast<double>(total / samples_ns.size()) / kNsPerUs;
  summary.p50_us = NearestRankPercentile(samples_ns, 0.50) / kNsPerUs;
  summary.p90_us = NearestRankPercentile(samples_ns, 0.90) / kNsPerUs;
  summary.p99_us = NearestRankPercentile(samples_ns, 0.99) / kNsPerUs;
  summary.max_us = samples_ns.back() / kNsPerUs;
  return summary;
}

}  // namespace inferd::bench
