// Writes a graph as a VGF file of format 0.4.3: one GRAPH segment whose SPIR-V module uses
// SPV_ARM_graph, SPV_ARM_tensors and the TOSA.001000.1 instructions; CONST tensors become graph
// constants in a CONST00 constants section, CONST_SHAPE values and attributes inline constants,
// IDENTITY is elided. What the instruction set cannot express is refused naming the operator:
// control flow, variables, CUSTOM, shape operators, rank-0 tensors and element types without a
// SPIR-V equivalent here (INT4).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"

namespace inferd::graph::vgf {

absl::StatusOr<std::vector<uint8_t>> WriteVgfFile(const Graph& graph);

}  // namespace inferd::graph::vgf
