// Fuzz target: arbitrary bytes as an ExecuTorch bundled program (.bpte). Parsing must refuse or
// accept without crashing or reading out of bounds; an accepted bundle's program and every test
// tensor must lie inside the input and hold exactly the bytes their type and sizes need. The
// program inside then goes through the .pte reader, as the model loader does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "engine/executorch/bundled_program.h"
#include "engine/executorch/executorch_program.h"

namespace {

bool Inside(std::span<const uint8_t> part, const uint8_t* data, size_t size) {
  return part.empty() || (part.data() >= data && part.data() + part.size() <= data + size);
}

void CheckTensor(const inferd::executorch::BundledTensor& tensor, const uint8_t* data,
                 size_t size) {
  const std::optional<int64_t> count = inferd::ElementCount(tensor.sizes);
  if (!Inside(tensor.data, data, size) || !count.has_value() ||
      static_cast<uint64_t>(*count) * inferd::DataTypeByteSize(tensor.dtype) !=
          tensor.data.size()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bundle = inferd::executorch::ParseBundledProgram(std::span<const uint8_t>(data, size));
  if (!bundle.ok()) return 0;
  if (!Inside(bundle->program, data, size)) std::abort();
  for (const auto& suite : bundle->suites) {
    for (const auto& test : suite.cases) {
      for (const auto& tensor : test.inputs) CheckTensor(tensor, data, size);
      for (const auto& tensor : test.expected_outputs) CheckTensor(tensor, data, size);
    }
  }
  (void)inferd::executorch::ParseExecuTorchProgram(bundle->program);
  return 0;
}
