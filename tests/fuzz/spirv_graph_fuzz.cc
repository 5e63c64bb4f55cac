// libFuzzer target for the SPIR-V GRAPH module decoder alone: the input is the module's words
// (little-endian), placed in a VGF file whose tables are well-formed, so every mutation reaches the
// decoder rather than the container checks. Any input must be decoded and validated or refused with
// a status.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace inferd::graph::vgf;
  VgfFile file;
  VgfModule module;
  module.type = VgfModuleType::kGraph;
  module.name = "fuzz";
  module.entry_point = "main";
  module.code_kind = VgfCodeKind::kSpirv;
  module.spirv.resize(size / 4);
  if (!module.spirv.empty()) std::memcpy(module.spirv.data(), data, module.spirv.size() * 4);
  file.modules.push_back(std::move(module));
  VgfSegment segment;
  segment.name = "fuzz_segment";
  file.segments.push_back(segment);
  // Graph constants 0..7 of a few sizes, so GraphConstantIDs resolve to data of some length.
  file.resources.emplace_back();
  for (size_t bytes : {1, 3, 4, 6, 12, 16, 48, 64}) {
    file.constants.push_back(VgfConstant{0, -1, std::vector<uint8_t>(bytes, 1)});
  }
  VgfDecodeOptions options;
  absl::StatusOr<VgfSignature> signature = ReadVgfSignature(file);
  if (signature.ok()) {
    for (const VgfPort& port : signature->inputs) {
      inferd::Shape shape = port.shape;
      for (int64_t& d : shape) d = d < 0 ? 2 : d;
      options.input_shapes[port.name] = shape;
    }
  }
  absl::StatusOr<std::shared_ptr<const inferd::graph::Graph>> graph = DecodeVgfGraph(file, options);
  if (graph.ok()) (void)inferd::graph::ValidateGraph(**graph);
  return 0;
}
