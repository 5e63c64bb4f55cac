// What the CPU backend can run, discovered from the code rather than written down: for every TOSA
// operator, each type signature the graph validator accepts, and whether BindOperator binds it.
#pragma once

#include <string>
#include <vector>

#include "engine/graph/dtype.h"
#include "engine/graph/op.h"

namespace inferd::cpu {

// One legal type signature of an operator: the element types of its type-carrying operands in
// the order the specification's tables list them (inputs, then outputs, then the accumulator
// type where the operator has one).
struct OpSignature {
  std::vector<graph::DType> types;
  bool supported = false;  // BindOperator binds a graph with this signature
  std::string label;       // e.g. "INT8×INT8→INT32 acc INT32"
};

struct OpSupport {
  graph::Op op = graph::Op::kUnknown;
  // Empty for CUSTOM, whose legality does not depend on element types the validator checks:
  // `supported` then says whether a minimal instance of an unregistered operator binds (never).
  std::vector<OpSignature> signatures;
  bool supported = false;  // true when at least one signature binds
};

// All 75 operators in Op enum order. Built once on first use (a few thousand tiny graphs, each
// validated and offered to BindOperator); thread-safe.
const std::vector<OpSupport>& CpuOpSupport();

}  // namespace inferd::cpu
