#include "engine/vgf_model_graph.h"

#include "absl/strings/str_cat.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/compute_segment.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"

namespace inferd {

// A compute shader has no CPU implementation; say so before the CPU backend names a CUSTOM op.
absl::Status CheckComputeSegmentPlacement(const graph::Graph& graph, std::string_view backend) {
  const graph::Operator* compute = graph::vgf::FirstComputeSegment(graph);
  if (compute == nullptr || backend == "tosa_vulkan") return absl::OkStatus();
  auto segment = graph::vgf::ComputeSegmentOf(*compute);
  return absl::UnimplementedError(absl::StrCat(
      "VGF COMPUTE segment '", segment.ok() && segment->has_value() ? (*segment)->name : "?",
      "' is a compute shader, which runs only on backend \"tosa_vulkan\" (this model's backend "
      "is \"",
      std::string(backend), "\")"));
}

absl::StatusOr<std::shared_ptr<const graph::Graph>> LoadVgfModelGraph(
    std::span<const uint8_t> bytes, const inference::ModelConfig& config) {
  auto file = graph::vgf::ReadVgfFile(bytes);
  if (!file.ok()) return file.status();
  auto signature = graph::vgf::ReadVgfSignature(*file);
  if (!signature.ok()) return signature.status();
  // Open dimensions come from the config: the dims of the input of the same name, behind a batch
  // dimension of 1 when the model batches (the backend runs the graph per batch item).
  graph::vgf::VgfDecodeOptions options;
  const bool batching = config.max_batch_size() > 0;
  for (const graph::vgf::VgfPort& port : signature->inputs) {
    bool open = false;
    for (int64_t d : port.shape) open |= d < 0;
    if (!open) continue;
    const inference::ModelInput* declared = nullptr;
    for (const auto& input : config.input()) {
      if (input.name() == port.name) declared = &input;
    }
    if (declared == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "VGF input '", port.name, "' has shape ", ShapeToString(port.shape),
          " with open dimensions; config.pbtxt must declare this input with its dims"));
    }
    Shape shape;
    if (batching) shape.push_back(1);
    shape.insert(shape.end(), declared->dims().begin(), declared->dims().end());
    for (int64_t d : shape) {
      if (d < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("config input '", port.name, "' has dims ", ShapeToString(shape),
                         "; a VGF input with open dimensions needs every dim fixed"));
      }
    }
    options.input_shapes[port.name] = shape;
  }
  auto graph = graph::vgf::DecodeVgfGraph(*file, options);
  if (!graph.ok()) return graph.status();
  if (auto status = CheckComputeSegmentPlacement(**graph, config.backend()); !status.ok()) {
    return status;
  }
  if (auto status = graph::ValidateGraph(**graph); !status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("invalid graph in VGF file: ", status.message()));
  }
  return graph;
}

}  // namespace inferd
