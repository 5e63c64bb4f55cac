// ParseConcurrencyLevels: the benchmark tools' --concurrency list ("1,4,16") as client counts.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::bench {

// Each entry must be a count in 1..`max_level`; at least one entry.
absl::StatusOr<std::vector<int>> ParseConcurrencyLevels(const std::vector<std::string>& texts,
                                                        int max_level);

}  // namespace inferd::bench
