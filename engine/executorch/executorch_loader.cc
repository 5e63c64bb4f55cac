#include "engine/executorch/executorch_loader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/executorch/quantized_edges_executable.h"

namespace inferd::executorch {
namespace {

std::string TypeName(const ProgramTensor& tensor) {
  return tensor.dtype == DataType::kInvalid ? absl::StrCat("ScalarType ", tensor.scalar_type)
                                            : std::string(DataTypeName(tensor.dtype));
}

// The method's own tensors must agree with the config: same count, data types and elements per
// item (what ExecuTorch's runtime would check against the caller's tensors).
absl::Status CheckProgramIo(const DelegatedProgram& program, const BackendLoadRequest& request) {
  auto check = [&program](const std::vector<ProgramTensor>& tensors,
                          const std::vector<TensorSpec>& specs, const char* what) -> absl::Status {
    if (tensors.size() != specs.size()) {
      return absl::InvalidArgumentError(absl::StrCat("method '", program.method, "' has ",
                                                     tensors.size(), " ", what, ", the config ",
                                                     specs.size()));
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
      if (tensors[i].dtype != specs[i].dtype) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " '", specs[i].name, "': the program has ", TypeName(tensors[i]),
                         ", the config ", std::string(DataTypeName(specs[i].dtype))));
      }
      const std::optional<int64_t> want = ElementCount(specs[i].dims);
      const std::optional<int64_t> have = ElementCount(tensors[i].sizes);
      if (want.has_value() && have.has_value() && *want != *have) {
        return absl::InvalidArgumentError(absl::StrCat(
            what, " '", specs[i].name, "': the program has ", ShapeToString(tensors[i].sizes),
            ", the config ", ShapeToString(specs[i].dims), " per item"));
      }
    }
    return absl::OkStatus();
  };
  if (auto status = check(program.inputs, request.inputs, "inputs"); !status.ok()) return status;
  return check(program.outputs, request.outputs, "outputs");
}

// The delegate's view of one tensor: the config's name and per-item dims, the delegate's type.
absl::StatusOr<TensorSpec> DelegateSpec(const TensorSpec& served, const ProgramTensor& method,
                                        const ProgramTensor& delegate, const char* what) {
  if (ElementCount(method.sizes) != ElementCount(delegate.sizes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " '", served.name, "': the program has ", ShapeToString(method.sizes),
                     " and the delegate ", ShapeToString(delegate.sizes)));
  }
  if (delegate.dtype == DataType::kInvalid) {
    return absl::InvalidArgumentError(absl::StrCat(what, " '", served.name, "': the delegate has ",
                                                   TypeName(delegate),
                                                   ", which inferd has no type for"));
  }
  return TensorSpec{served.name, delegate.dtype, served.dims};
}

bool IsIdentity(const DelegatedProgram& program) {
  if (program.HasQuantizedEdges() ||
      program.delegate_input_sources.size() != program.inputs.size() ||
      program.delegate_outputs.size() != program.outputs.size()) {
    return false;
  }
  for (size_t i = 0; i < program.delegate_input_sources.size(); ++i) {
    if (program.delegate_input_sources[i].method_input != i) return false;
  }
  for (size_t j = 0; j < program.output_sources.size(); ++j) {
    if (program.output_sources[j].delegate_output != j) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Executable>> LoadDelegatedProgram(
    const BackendLoadRequest& request, std::string_view backend_name,
    std::initializer_list<std::string_view> delegate_ids, const DelegateLoader& load) {
  auto program = ParseExecuTorchProgram(*request.model_bytes);
  if (!program.ok()) return program.status();
  if (std::find(delegate_ids.begin(), delegate_ids.end(), program->delegate_id) ==
      delegate_ids.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "method '", program->method, "' has a delegate for '", program->delegate_id, "'; the ",
        std::string(backend_name), " backend takes ",
        absl::StrJoin(std::vector<std::string>(delegate_ids.begin(), delegate_ids.end()), " or "),
        " only"));
  }
  if (auto status = CheckProgramIo(*program, request); !status.ok()) return status;

  BackendLoadRequest delegate_request = request;
  delegate_request.model_bytes = std::make_shared<const std::vector<uint8_t>>(
      program->payload.begin(), program->payload.end());
  delegate_request.graph = nullptr;
  delegate_request.inputs.clear();
  delegate_request.outputs.clear();
  for (size_t i = 0; i < program->delegate_inputs.size(); ++i) {
    const size_t source = program->delegate_input_sources[i].method_input;
    auto spec = DelegateSpec(request.inputs[source], program->inputs[source],
                             program->delegate_inputs[i], "input");
    if (!spec.ok()) return spec.status();
    delegate_request.inputs.push_back(*std::move(spec));
  }
  // A delegate output no method output reads still needs a spec: it is named after its position.
  delegate_request.outputs.resize(program->delegate_outputs.size());
  std::vector<bool> named(program->delegate_outputs.size(), false);
  for (size_t j = 0; j < program->output_sources.size(); ++j) {
    const size_t source = program->output_sources[j].delegate_output;
    auto spec = DelegateSpec(request.outputs[j], program->outputs[j],
                             program->delegate_outputs[source], "output");
    if (!spec.ok()) return spec.status();
    delegate_request.outputs[source] = *std::move(spec);
    named[source] = true;
  }
  for (size_t k = 0; k < named.size(); ++k) {
    if (named[k]) continue;
    const ProgramTensor& tensor = program->delegate_outputs[k];
    if (tensor.dtype == DataType::kInvalid) {
      return absl::InvalidArgumentError(
          absl::StrCat("delegate output ", k, " has ", TypeName(tensor)));
    }
    Shape dims = tensor.sizes;
    if (request.max_batch_size > 0 && !dims.empty()) dims.erase(dims.begin());
    delegate_request.outputs[k] =
        TensorSpec{absl::StrCat("delegate_output_", k), tensor.dtype, std::move(dims)};
  }

  auto executable = load(delegate_request, *program);
  if (!executable.ok() || IsIdentity(*program)) return executable;
  return std::make_unique<QuantizedEdgesExecutable>(*std::move(executable), request.model_name,
                                                    program->delegate_input_sources,
                                                    program->output_sources);
}

}  // namespace inferd::executorch
