// libFuzzer target for VGF files: any input must be read, decoded and validated or refused with a
// status, never crash, hang or read out of bounds. Covers the header and section checks, the
// FlatBuffers tables, both constants layouts and, for inputs that get that far, the SPIR-V decoder.
#include <cstddef>
#include <cstdint>
#include <span>

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
  (void)LoadVgfGraph(std::span<const uint8_t>(data, size), options);
  // What inferd-vgf dump does.
  VgfDecodeOptions dump;
  dump.leave_open_shapes = true;
  (void)DecodeVgfGraph(*file, dump);
  return 0;
}
