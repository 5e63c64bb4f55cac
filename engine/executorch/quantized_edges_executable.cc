#include "engine/executorch/quantized_edges_executable.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/executorch/quantize_per_tensor.h"

namespace inferd::executorch {
namespace {

absl::Status Named(const std::string& model_name, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("model '", model_name, "': ", status.message()));
}

}  // namespace

QuantizedEdgesExecutable::QuantizedEdgesExecutable(std::unique_ptr<Executable> delegate,
                                                   std::string model_name,
                                                   std::vector<DelegateInputSource> inputs,
                                                   std::vector<MethodOutputSource> outputs)
    : delegate_(std::move(delegate)),
      model_name_(std::move(model_name)),
      inputs_(std::move(inputs)),
      outputs_(std::make_shared<const std::vector<MethodOutputSource>>(std::move(outputs))) {}

void QuantizedEdgesExecutable::Execute(Batch batch, BatchCallback done) {
  const absl::Time start = absl::Now();
  Batch inner;
  inner.batch_size = batch.batch_size;
  inner.cancellation = batch.cancellation;
  inner.deadline = batch.deadline;
  inner.inputs.reserve(inputs_.size());
  for (const DelegateInputSource& source : inputs_) {
    if (source.method_input >= batch.inputs.size()) {
      done(Named(model_name_, absl::InternalError("a delegate input has no method input")));
      return;
    }
    const Tensor& input = batch.inputs[source.method_input];
    if (!source.quantize.has_value()) {
      inner.inputs.push_back(input);
      continue;
    }
    auto quantized = QuantizeTensor(input, *source.quantize);
    if (!quantized.ok()) {
      done(Named(model_name_, quantized.status()));
      return;
    }
    inner.inputs.push_back(*std::move(quantized));
  }
  const absl::Duration quantizing = absl::Now() - start;
  delegate_->Execute(
      std::move(inner), [outputs = outputs_, model_name = model_name_, quantizing,
                         done = std::move(done)](absl::StatusOr<BatchResult> result) {
        if (!result.ok()) {
          done(std::move(result));
          return;
        }
        const absl::Time start = absl::Now();
        BatchResult served;
        served.outputs.reserve(outputs->size());
        for (const MethodOutputSource& source : *outputs) {
          if (source.delegate_output >= result->outputs.size()) {
            done(Named(model_name,
                       absl::InternalError(absl::StrCat(
                           "the delegate returned ", result->outputs.size(),
                           " outputs; the program reads output ", source.delegate_output))));
            return;
          }
          const Tensor& output = result->outputs[source.delegate_output];
          if (!source.dequantize.has_value()) {
            served.outputs.push_back(output);
            continue;
          }
          auto dequantized = DequantizeTensor(output, *source.dequantize);
          if (!dequantized.ok()) {
            done(Named(model_name, dequantized.status()));
            return;
          }
          served.outputs.push_back(*std::move(dequantized));
        }
        served.parameters = std::move(result->parameters);
        served.compute_input = result->compute_input + quantizing;
        served.compute_infer = result->compute_infer;
        served.compute_output = result->compute_output + (absl::Now() - start);
        done(std::move(served));
      });
}

}  // namespace inferd::executorch
