// Decodes the GRAPH segments of a VGF file -- SPIR-V modules using SPV_ARM_graph, SPV_ARM_tensors
// and the TOSA.001000.1 extended instructions -- into inferd's graph IR, the same IR the .tosa
// reader builds, so the CPU and Vulkan backends run it unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"
#include "engine/graph/vgf/vgf_file.h"

namespace inferd::graph::vgf {

struct VgfDecodeOptions {
  // Shapes for model inputs (by name) whose SPIR-V type gives a rank but not every dimension:
  // VGF graphs may leave activations shapeless (the NSS model does). The decoder derives every
  // other shape from these.
  std::map<std::string, Shape> input_shapes;
  // For inspection (inferd-vgf dump): tensors whose shape is neither declared nor derivable stay
  // unranked instead of failing the decode. Such a graph does not validate and cannot run.
  bool leave_open_shapes = false;
};

// A model input or output as the file declares it, before decoding: name, element type and shape
// (-1 where the file leaves a dimension open).
struct VgfPort {
  std::string name;
  DType dtype = DType::kUnknown;
  Shape shape;
};

struct VgfSignature {
  std::vector<VgfPort> inputs;
  std::vector<VgfPort> outputs;
};

// The model's inputs and outputs as declared; fails like DecodeVgfGraph on unusable files.
absl::StatusOr<VgfSignature> ReadVgfSignature(const VgfFile& file);

// Builds the IR of the file. A file of one GRAPH segment decodes directly; any other sequence of
// GRAPH and COMPUTE segments is assembled into one graph by AssembleVgfSequence
// (vgf_sequence.h). Refuses, naming what it found: extended instruction sets other than
// TOSA.001000.1, specialisation constants, functions or other instructions a graph module does
// not hold, tensors whose shape is neither declared nor derivable, sparse constants. Does not run
// ValidateGraph. Errors are InvalidArgument and name the module, the SPIR-V word offset and the
// result id.
absl::StatusOr<std::shared_ptr<const Graph>> DecodeVgfGraph(const VgfFile& file,
                                                            const VgfDecodeOptions& options = {});

// One GRAPH segment of a sequence decoded on its own: its graph, and the resource-table entry
// behind each main-block input and output (in block order). Ports are named as
// VgfResourceTensorName names their resources, so `options.input_shapes` keys by those names.
struct VgfSegmentGraph {
  std::shared_ptr<Graph> graph;
  std::vector<uint32_t> input_resources;
  std::vector<uint32_t> output_resources;
};
absl::StatusOr<VgfSegmentGraph> DecodeVgfGraphSegment(const VgfFile& file, size_t segment,
                                                      const VgfDecodeOptions& options);

// ReadVgfFile, DecodeVgfGraph, then ValidateGraph: what model loading calls.
absl::StatusOr<std::shared_ptr<const Graph>> LoadVgfGraph(std::span<const uint8_t> bytes,
                                                          const VgfDecodeOptions& options = {});

}  // namespace inferd::graph::vgf
