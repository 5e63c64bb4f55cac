#include "engine/vgf_delegated_program.h"

#include "absl/strings/str_cat.h"
#include "engine/executorch/executorch_loader.h"
#include "engine/executorch/executorch_program.h"
#include "engine/graph/graph_validator.h"
#include "engine/graph/vgf/vgf_file.h"
#include "engine/graph/vgf/vgf_graph_decoder.h"
#include "engine/vgf_model_graph.h"

namespace inferd {
namespace {

absl::Status PayloadError(const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat("the ", kVgfBackendId, " delegate's data: ", status.message()));
}

// The delegate's payload decoded and validated, with the graph's names of the delegate's ports.
absl::StatusOr<VgfPayloadCache> DecodeVgfPayload(const Backend& backend,
                                                 const BackendLoadRequest& delegate_request,
                                                 const executorch::DelegatedProgram& program) {
  auto file = graph::vgf::ReadVgfFile(*delegate_request.model_bytes);
  if (!file.ok()) return PayloadError(file.status());
  auto signature = graph::vgf::ReadVgfSignature(*file);
  if (!signature.ok()) return PayloadError(signature.status());
  if (signature->inputs.size() != delegate_request.inputs.size() ||
      signature->outputs.size() != delegate_request.outputs.size()) {
    return PayloadError(absl::InvalidArgumentError(
        absl::StrCat("the VGF has ", signature->inputs.size(), " inputs and ",
                     signature->outputs.size(), " outputs; the delegate call passes ",
                     delegate_request.inputs.size(), " and ", delegate_request.outputs.size())));
  }
  graph::vgf::VgfDecodeOptions options;
  for (size_t i = 0; i < signature->inputs.size(); ++i) {
    options.input_shapes[signature->inputs[i].name] = program.delegate_inputs[i].sizes;
  }
  auto graph = graph::vgf::DecodeVgfGraph(*file, options);
  if (!graph.ok()) return PayloadError(graph.status());
  if (auto status = graph::ValidateGraph(**graph); !status.ok()) {
    return PayloadError(
        absl::Status(status.code(), absl::StrCat("invalid graph: ", status.message())));
  }
  if (auto status = CheckComputeSegmentPlacement(**graph, backend.name()); !status.ok()) {
    return PayloadError(status);
  }
  VgfPayloadCache decoded;
  decoded.graph = *std::move(graph);
  for (const graph::vgf::VgfPort& port : signature->inputs)
    decoded.input_names.push_back(port.name);
  for (const graph::vgf::VgfPort& port : signature->outputs) {
    decoded.output_names.push_back(port.name);
  }
  return decoded;
}

// The delegate's payload as the graph a TOSA backend runs, with the delegate's ports renamed to
// the graph's (backends match ports by name; ExecuTorch binds a delegate's tensors by position).
absl::StatusOr<std::unique_ptr<Executable>> LoadVgfPayload(
    Backend& backend, const BackendLoadRequest& delegate_request,
    const executorch::DelegatedProgram& program, VgfPayloadCache* cache) {
  VgfPayloadCache local;
  VgfPayloadCache* decoded = cache != nullptr ? cache : &local;
  if (decoded->graph == nullptr) {
    auto fresh = DecodeVgfPayload(backend, delegate_request, program);
    if (!fresh.ok()) return fresh.status();
    *decoded = *std::move(fresh);
  }
  BackendLoadRequest request = delegate_request;
  request.graph = decoded->graph;
  for (size_t i = 0; i < request.inputs.size(); ++i) {
    request.inputs[i].name = decoded->input_names[i];
  }
  for (size_t j = 0; j < request.outputs.size(); ++j) {
    request.outputs[j].name = decoded->output_names[j];
  }
  return backend.Load(request);
}

}  // namespace

bool IsVgfDelegatedProgram(std::span<const uint8_t> bytes) {
  if (!executorch::LooksLikeExecuTorchProgram(bytes)) return false;
  auto program = executorch::ParseExecuTorchProgram(bytes);
  return program.ok() && program->delegate_id == kVgfBackendId;
}

absl::StatusOr<std::unique_ptr<Executable>> LoadVgfDelegatedProgram(
    Backend& backend, const BackendLoadRequest& request, VgfPayloadCache* cache) {
  return executorch::LoadDelegatedProgram(
      request, backend.name(), {kVgfBackendId},
      [&backend, cache](const BackendLoadRequest& delegate_request,
                        const executorch::DelegatedProgram& program) {
        return LoadVgfPayload(backend, delegate_request, program, cache);
      });
}

}  // namespace inferd
