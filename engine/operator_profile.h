// OperatorTiming: how long one operator of a loaded model has taken, summed over every inference
// since the model version loaded. Backends that run a graph operator by operator (the CPU backend)
// report one entry per operator; the statistics are what a user needs to see where a model spends
// its time without rebuilding anything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace inferd {

struct OperatorTiming {
  std::string block;      // the graph block holding the operator ("main" for the main block)
  int64_t index = 0;      // the operator's position in its block
  std::string op;         // operator name, e.g. "CONV2D"
  std::string output;     // the name of its first output tensor
  std::string shape;      // that tensor's shape, e.g. "1x8x8x16"
  uint64_t calls = 0;     // runs of the operator (a loop body's operators run once per iteration)
  uint64_t total_ns = 0;  // wall time of those runs; a control-flow operator includes its blocks
};

// Adds `more` into `into`, matching entries by block and index (instances of one model version
// run the same graph). Entries of `more` that `into` lacks are appended.
void AccumulateOperatorTimings(std::vector<OperatorTiming>& into,
                               const std::vector<OperatorTiming>& more);

}  // namespace inferd
