// What a backend can run, discovered from its code rather than written down: for every TOSA
// operator, each type signature the graph validator accepts, put in a minimal graph (one operator
// and its constants; control flow with pass-through bodies; a variable written and read), and
// whether the backend accepts that graph. The CPU backend (backends/cpu/op_support.h) and the
// Vulkan backend (backends/vulkan/vulkan_op_support.h) each answer with their own predicate, so the
// support tables in docs/tosa-support.md come from one set of probes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/graph/dtype.h"
#include "engine/graph/graph.h"
#include "engine/graph/op.h"

namespace inferd::graph {

// One legal type signature of an operator: the element types of its type-carrying operands in
// the order the specification's tables list them (inputs, then outputs, then the accumulator
// type where the operator has one).
struct OpSignature {
  std::vector<DType> types;
  bool supported = false;  // the backend accepts a graph with this signature
  std::string label;       // e.g. "INT8×INT8→INT32 acc INT32"
};

struct OpSupport {
  Op op = Op::kUnknown;
  // Empty for CUSTOM, whose legality does not depend on element types the validator checks:
  // `supported` then says whether a minimal instance of an unregistered operator runs (never).
  std::vector<OpSignature> signatures;
  bool supported = false;  // true when at least one signature runs
};

// All 75 operators in Op enum order. `runs` is asked about each legal probe graph (a few thousand
// tiny graphs, each already validated) and says whether the backend would run it.
std::vector<OpSupport> ProbeOpSupport(const std::function<bool(const Graph&)>& runs);

}  // namespace inferd::graph
