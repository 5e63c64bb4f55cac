// The median the Vulkan benchmarks report (the upper one of an even count).
#pragma once

#include <algorithm>
#include <vector>

namespace inferd::bench {

inline double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0.0 : values[values.size() / 2];
}

}  // namespace inferd::bench
