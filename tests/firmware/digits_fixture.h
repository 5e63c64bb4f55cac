// The digits_int8 example model and its held-out data, shared by the firmware tests: the graph
// lowered to a cpu job, the test images and the expected scores.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::firmware::testing {

struct DigitsData {
  std::shared_ptr<const graph::Graph> graph;
  std::vector<uint8_t> job;             // LowerToCpuJob(graph)
  std::vector<int8_t> images;           // [count, 8, 8, 1]
  std::vector<int8_t> expected_scores;  // [count, 10]
  int64_t count = 0;
};

inline constexpr int kDigitsPixels = 64;
inline constexpr int kDigitsClasses = 10;

// Reads everything from the repository's examples/ (INFERD_SOURCE_DIR).
absl::StatusOr<DigitsData> LoadDigits();

}  // namespace inferd::firmware::testing
