// How the tosa_vulkan backend splits a batch between its batch passes (programs that run the graph
// widened to a fixed number of items, engine/graph/batched_graph.h) and the program that runs the
// graph one item at a time.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace inferd::vulkan {

// Items [first_item, first_item + items) of a batch: one run of the pass for `items` items, or,
// with `pass` false, `items` runs of the item-by-item program.
struct BatchPart {
  int64_t first_item = 0;
  int64_t items = 0;
  bool pass = false;

  bool operator==(const BatchPart&) const = default;
};

// The batch sizes a model gets a pass for, largest first: max_batch_size, each preferred batch size
// above 1 (the sizes the scheduler makes under load) and each power of two from 2 below
// max_batch_size, so that a batch of any size splits into passes with at most one item left to
// run alone.
std::vector<int64_t> BatchPassSizes(int64_t max_batch_size, std::span<const int> preferred);

// The parts a batch runs as, given the sizes that have a pass (each above 1, any order): as few
// items left to run one at a time as the sizes allow, and among such splits the fewest passes;
// the passes come first, largest first, then the items left (one part). On a GPU a pass costs
// about what one item does, and on lavapipe a pass of N items still costs less than N items one by
// one (benchmarks/vulkan/README.md, "Batch throughput"). The best split of every size up to
// `max_items` is worked out once, at construction (O(max_items x sizes)), so that a batch only
// reads it back.
class BatchPlanner {
 public:
  BatchPlanner(std::span<const int64_t> pass_sizes, int64_t max_items);

  // A batch of more than max_items items is one part, item by item (which the item-by-item
  // program then refuses, naming its limit).
  std::vector<BatchPart> Plan(int64_t items) const;

 private:
  std::vector<int64_t> last_pass_;  // by item count: the pass that ends its best split, 0 for none
};

// BatchPlanner(pass_sizes, items).Plan(items).
std::vector<BatchPart> PlanBatch(int64_t items, std::span<const int64_t> pass_sizes);

}  // namespace inferd::vulkan
