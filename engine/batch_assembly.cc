#include "engine/batch_assembly.h"

#include <cstring>

namespace inferd {

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
