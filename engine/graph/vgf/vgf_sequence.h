// A VGF model of several segments -- GRAPH segments (SPIR-V TOSA graphs) and COMPUTE segments
// (compute shaders) run in sequence order, passing data through the resource table's
// intermediates -- assembled into one graph of the IR: each GRAPH segment's operators inlined,
// each COMPUTE segment one compute-segment operator (compute_segment.h), every resource one
// tensor. The backend then plans the intermediates like any other tensors.
//
// The sequence must be a dataflow: every resource is written once (by one segment, or it is a
// model input) before any segment reads it, and no segment reads and writes the same resource.
// COMPUTE segments bind storage buffers, storage images and combined image samplers (an image's
// tensor is [1,] H x W x C, C the components of its texel format); another descriptor type (Arm
// tensors, uniform buffers, ...) is refused naming it, as are HLSL sources and constants on a
// COMPUTE segment.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/graph/graph.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"

namespace inferd::graph::vgf {

// The tensor name of resource `resource`: the model's name for it when it is a model input or
// output ("input_K" / "output_K" when the file names none), else "resource_N".
std::string VgfResourceTensorName(const VgfFile& file, uint32_t resource);

// The model's inputs and outputs from the resource table (dtype from the VkFormat, -1 for open
// dimensions), for files that are not a single GRAPH segment.
absl::StatusOr<VgfSignature> ReadVgfSequenceSignature(const VgfFile& file);

// Errors are InvalidArgument (a malformed sequence) or Unimplemented (what inferd does not run),
// and name the segment and the resource.
absl::StatusOr<std::shared_ptr<const Graph>> AssembleVgfSequence(const VgfFile& file,
                                                                 const VgfDecodeOptions& options);

}  // namespace inferd::graph::vgf
