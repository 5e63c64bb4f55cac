// libFuzzer target for VGF files: any input must be read, decoded and validated or refused with a
// status, never crash, hang or read out of bounds. Covers the header and section checks, the
// FlatBuffers tables, both constants layouts and, for inputs that get that far, the SPIR-V decoder,
// the assembly of multi-segment sequences and the checks of COMPUTE segments' shaders. The raw
// bytes also go to the compute-segment attribute decoder, which a .tosa file's CUSTOM operator
// reaches.
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/graph/vgf/compute_segment.h"
#include "engine/graph/vgf/compute_spirv.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace inferd::graph::vgf;
  absl::StatusOr<VgfFile> file = ReadVgfFile(std::span<const uint8_t>(data, size));
  if (!file.ok()) return 0;
  // What model loading does: the signature, then the graph with small open dimensions filled in.
  absl::StatusOr<VgfSignature> signature = ReadVgfSignature(*file);
  VgfDecodeOptions options;
  if (signature.ok()) {
    for (const VgfPort& port : signature->inputs) {
      inferd::Shape shape = port.shape;
      for (int64_t& d : shape) d = d < 0 ? 4 : d;
      options.input_shapes[port.name] = shape;
    }
  }
  (void)DecodeComputeSegment(std::span<const uint8_t>(data, size), 2, 2);
  absl::StatusOr<std::shared_ptr<const inferd::graph::Graph>> graph =
      LoadVgfGraph(std::span<const uint8_t>(data, size), options);
  // What the Vulkan backend does with a COMPUTE segment before the driver sees its shader.
  if (graph.ok()) {
    for (const inferd::graph::Operator& op : (*graph)->main_block().operators) {
      auto segment = ComputeSegmentOf(op);
      if (!segment.ok() || !segment->has_value()) continue;
      if ((*segment)->code == ComputeSegment::Code::kSpirv) {
        (void)CheckComputeSpirv((*segment)->spirv, **segment, {.int64 = true});
      }
    }
  }
  // What inferd-vgf dump does.
  VgfDecodeOptions dump;
  dump.leave_open_shapes = true;
  (void)DecodeVgfGraph(*file, dump);
  return 0;
}
