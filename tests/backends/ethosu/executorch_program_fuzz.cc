// Fuzz target: arbitrary bytes as an ExecuTorch program delegated to the EthosUBackend. Parsing
// must refuse or accept without crashing or reading out of bounds; an accepted program's delegate
// blob must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "backends/ethosu/payload/executorch_program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto program = inferd::ethosu::ParseEthosUProgram(bytes);
  if (program.ok()) {
    const auto blob = program->bin_stream;
    if (blob.empty() || blob.data() < data || blob.data() + blob.size() > data + size) std::abort();
  }
  return 0;
}
