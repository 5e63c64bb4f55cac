// QuantizedEdgesExecutable: serves a delegated ExecuTorch program with float edges. It wraps the
// Executable a backend made for the delegate alone (integer inputs and outputs, in the delegate's
// order) and runs the program's quantize_per_tensor steps on the batch's inputs before it and the
// dequantize_per_tensor steps on its outputs after it, on the host, as ExecuTorch's kernels do
// (quantize_per_tensor.h). Backend-agnostic: the same wrapper serves any delegate.
#pragma once

#include <memory>
#include <vector>

#include "engine/backend.h"
#include "engine/executorch/executorch_program.h"

namespace inferd::executorch {

class QuantizedEdgesExecutable : public Executable {
 public:
  // `inputs` / `outputs`: delegate input i's source and method output j's source, as the program
  // declares them (DelegatedProgram::delegate_input_sources / output_sources).
  QuantizedEdgesExecutable(std::unique_ptr<Executable> delegate, std::string model_name,
                           std::vector<DelegateInputSource> inputs,
                           std::vector<MethodOutputSource> outputs);

  void Execute(Batch batch, BatchCallback done) override;
  bool CompletesInline() const override { return delegate_->CompletesInline(); }
  std::vector<OperatorTiming> OperatorProfile() const override {
    return delegate_->OperatorProfile();
  }
  absl::Status Health() const override { return delegate_->Health(); }

 private:
  const std::unique_ptr<Executable> delegate_;
  const std::string model_name_;
  const std::vector<DelegateInputSource> inputs_;
  const std::shared_ptr<const std::vector<MethodOutputSource>> outputs_;
};

}  // namespace inferd::executorch
