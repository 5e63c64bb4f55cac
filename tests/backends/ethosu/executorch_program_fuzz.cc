// Fuzz target: arbitrary bytes as an ExecuTorch program (engine/executorch). Parsing must refuse or
// accept without crashing or reading out of bounds; an accepted program's delegate blob must lie
// inside the input and every edge it traced must name a tensor that exists.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "engine/executorch/executorch_program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto program = inferd::executorch::ParseExecuTorchProgram(bytes);
  if (program.ok()) {
    const auto blob = program->payload;
    if (!blob.empty() && (blob.data() < data || blob.data() + blob.size() > data + size)) {
      std::abort();
    }
    if (program->delegate_input_sources.size() != program->delegate_inputs.size() ||
        program->output_sources.size() != program->outputs.size()) {
      std::abort();
    }
    for (const auto& source : program->delegate_input_sources) {
      if (source.method_input >= program->inputs.size()) std::abort();
    }
    for (const auto& source : program->output_sources) {
      if (source.delegate_output >= program->delegate_outputs.size()) std::abort();
    }
  }
  return 0;
}
