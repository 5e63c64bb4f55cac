#include "engine/batch_assembly.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/shape.h"

namespace inferd {

absl::Status CheckBatchOutputs(const BatchResult& result, const std::vector<TensorSpec>& outputs,
                               int64_t rows, bool batched) {
  if (result.outputs.size() != outputs.size()) {
    return absl::InternalError(absl::StrCat("the backend returned ", result.outputs.size(),
                                            " outputs; the model declares ", outputs.size()));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const TensorSpec& spec = outputs[i];
    const Tensor& got = result.outputs[i];
    auto fail = [&](const std::string& what) {
      return absl::InternalError(
          absl::StrCat("the backend returned output '", spec.name, "' ", what,
                       "; refusing to answer with an output that differs from the declared one"));
    };
    if (got.dtype() != spec.dtype) {
      return fail(absl::StrCat("as ", std::string(DataTypeName(got.dtype())), ", declared ",
                               std::string(DataTypeName(spec.dtype))));
    }
    Shape expected;
    if (batched) expected.push_back(rows);
    expected.insert(expected.end(), spec.dims.begin(), spec.dims.end());
    bool shape_matches = got.shape().size() == expected.size();
    for (size_t d = 0; shape_matches && d < expected.size(); ++d) {
      shape_matches = expected[d] < 0 || expected[d] == got.shape()[d];
    }
    if (!shape_matches) {
      return fail(absl::StrCat("with shape ", ShapeToString(got.shape()), ", declared ",
                               ShapeToString(expected)));
    }
    const size_t element_size = DataTypeByteSize(got.dtype());
    const std::optional<int64_t> count = ElementCount(got.shape());
    if (element_size > 0 &&
        (!count.has_value() || got.byte_size() != static_cast<size_t>(*count) * element_size)) {
      return fail(absl::StrCat("holding ", got.byte_size(), " bytes, which shape ",
                               ShapeToString(got.shape()), " of ",
                               std::string(DataTypeName(got.dtype())), " does not fill"));
    }
  }
  return absl::OkStatus();
}

std::vector<Tensor> AssembleBatchInputs(
    const std::vector<std::unique_ptr<InferenceRequest>>& requests) {
  if (requests.size() == 1) return requests.front()->inputs;

  std::vector<Tensor> inputs;
  const size_t input_count = requests.front()->inputs.size();
  int64_t rows = 0;
  for (const auto& request : requests) rows += request->batch_size;
  for (size_t i = 0; i < input_count; ++i) {
    const Tensor& first = requests.front()->inputs[i];
    Shape shape = first.shape();
    shape[0] = rows;
    Tensor joined = Tensor::Allocate(first.dtype(), std::move(shape));
    uint8_t* out = joined.mutable_bytes().data();
    for (const auto& request : requests) {
      const auto bytes = request->inputs[i].bytes();
      std::memcpy(out, bytes.data(), bytes.size());
      out += bytes.size();
    }
    inputs.push_back(std::move(joined));
  }
  return inputs;
}

std::vector<InferenceResponse> SplitBatchOutputs(
    const std::vector<std::unique_ptr<InferenceRequest>>& requests, const BatchResult& result,
    bool batched) {
  std::vector<InferenceResponse> responses(requests.size());
  int64_t first_row = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    InferenceResponse& response = responses[r];
    response.parameters = result.parameters;
    if (!batched) {
      response.outputs = result.outputs;
      continue;
    }
    for (const Tensor& output : result.outputs) {
      response.outputs.push_back(output.SliceOuter(first_row, requests[r]->batch_size));
    }
    first_row += requests[r]->batch_size;
  }
  return responses;
}

}  // namespace inferd
