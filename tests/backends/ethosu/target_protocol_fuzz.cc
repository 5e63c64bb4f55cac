// Fuzz target: arbitrary bytes as a stream from a target. The decoder must never crash, read out
// of bounds or hang, whatever the split into reads; every frame it yields goes through each payload
// decoder, which must refuse or accept without crashing.
#include <cstddef>
#include <cstdint>
#include <span>

#include "backends/ethosu/protocol/frame_codec.h"
#include "backends/ethosu/protocol/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace inferd::ethosu;
  const std::span<const uint8_t> bytes(data, size);
  // Split the stream at a data-dependent point so that resync across reads is exercised.
  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  FrameDecoder decoder(/*max_payload=*/64 * 1024);
  decoder.Feed(bytes.first(split));
  for (int pass = 0; pass < 2; ++pass) {
    while (auto frame = decoder.Next()) {
      (void)DecodeInferenceRequest(frame->payload);
      (void)DecodeInferenceResponse(frame->payload);
      (void)DecodeError(frame->payload);
      (void)ParseStruct<inferd_tp_capabilities_rsp>(frame->payload, "CAPABILITIES_RSP");
    }
    if (pass == 0) decoder.Feed(bytes.subspan(split));
  }
  // The payload decoders on the raw bytes too.
  (void)DecodeInferenceRequest(bytes);
  (void)DecodeInferenceResponse(bytes);
  (void)DecodeError(bytes);
  return 0;
}
