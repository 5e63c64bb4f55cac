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

BatchPlanner::BatchPlanner(std::span<const int64_t> pass_sizes, int64_t max_items)
    : last_pass_(static_cast<size_t>(std::max<int64_t>(max_items, 0)) + 1, 0) {
  std::vector<int64_t> sizes;
  for (const int64_t size : pass_sizes) {
    if (size > 1 && size <= max_items) sizes.push_back(size);
  }
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  // cost[n]: (items left one at a time, passes) of the best split of n items; pairs compare in
  // that order.
  std::vector<std::pair<int64_t, int64_t>> cost(last_pass_.size());
  for (size_t n = 1; n < last_pass_.size(); ++n) {
    cost[n] = {static_cast<int64_t>(n), 0};
    for (const int64_t size : sizes) {
      if (static_cast<size_t>(size) > n) continue;
      const auto& [left, passes] = cost[n - static_cast<size_t>(size)];
      if (std::pair(left, passes + 1) < cost[n]) {
        cost[n] = {left, passes + 1};
        last_pass_[n] = size;
      }
    }
  }
}

std::vector<BatchPart> BatchPlanner::Plan(int64_t items) const {
  if (items < 1) return {};
  if (static_cast<size_t>(items) >= last_pass_.size()) return {{0, items, false}};
  std::vector<int64_t> passes;
  for (int64_t n = items; last_pass_[static_cast<size_t>(n)] > 0;) {
    passes.push_back(last_pass_[static_cast<size_t>(n)]);
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

std::vector<BatchPart> PlanBatch(int64_t items, std::span<const int64_t> pass_sizes) {
  return BatchPlanner(pass_sizes, items).Plan(items);
}

}  // namespace inferd::vulkan
