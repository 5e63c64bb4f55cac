#include "backends/vulkan/batch_plan.h"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

namespace inferd::vulkan {

std::vector<int64_t> BatchPassSizes(int64_t max_batch_size, std::span<const int> preferred) {
  std::set<int64_t, std::greater<>> sizes;
  if (max_batch_size >= 2) sizes.insert(max_batch_size);
  for (const int size : preferred) {
    if (size >= 2 && size <= max_batch_size) sizes.insert(size);
  }
  for (int64_t size = 2; size < max_batch_size; size *= 2) sizes.insert(size);
  return std::vector<int64_t>(sizes.begin(), sizes.end());
}

std::vector<BatchPart> PlanBatch(int64_t items, std::span<const int64_t> pass_sizes) {
  std::vector<int64_t> sizes;
  for (const int64_t size : pass_sizes) {
    if (size > 1 && size <= items) sizes.push_back(size);
  }
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  // best[n]: (items left one at a time, passes) for the first n items, and the pass that ends the
  // split (0: none, all n one at a time). Pairs compare in that order.
  struct Split {
    std::pair<int64_t, int64_t> cost;
    int64_t last_pass = 0;
  };
  std::vector<Split> best(static_cast<size_t>(items) + 1);
  for (int64_t n = 1; n <= items; ++n) {
    Split& split = best[static_cast<size_t>(n)];
    split = {{n, 0}, 0};
    for (const int64_t size : sizes) {
      if (size > n) continue;
      const auto& [left, passes] = best[static_cast<size_t>(n - size)].cost;
      if (std::pair(left, passes + 1) < split.cost) split = {{left, passes + 1}, size};
    }
  }
  std::vector<int64_t> passes;
  int64_t n = items;
  while (best[static_cast<size_t>(n)].last_pass > 0) {
    passes.push_back(best[static_cast<size_t>(n)].last_pass);
    n -= passes.back();
  }
  std::sort(passes.begin(), passes.end(), std::greater<>());
  std::vector<BatchPart> parts;
  int64_t first = 0;
  for (const int64_t size : passes) {
    parts.push_back({first, size, true});
    first += size;
  }
  if (first < items) parts.push_back({first, items - first, false});
  return parts;
}

}  // namespace inferd::vulkan
