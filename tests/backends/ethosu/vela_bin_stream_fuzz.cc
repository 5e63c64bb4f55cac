// Fuzz target: arbitrary bytes as a Vela bin stream. Parsing must refuse or accept without
// crashing or reading out of bounds; an accepted stream's spans must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "backends/ethosu/payload/vela_bin_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto stream = inferd::ethosu::ParseVelaBinStream(bytes);
  if (stream.ok()) {
    for (auto span : {stream->cmd_data, stream->weight_data}) {
      if (!span.empty() && (span.data() < data || span.data() + span.size() > data + size)) {
        std::abort();
      }
    }
  }
  return 0;
}
