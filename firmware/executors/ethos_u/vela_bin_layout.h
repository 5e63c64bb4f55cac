// The target's reading of a Vela bin stream (the network format INFERD_TP_NETWORK_FORMAT_VELA_BIN;
// backends/ethosu/payload/vela_bin_stream.h is the host's reader and describes the blocks): where
// the driver payload, its command stream and the weights lie inside the network bytes, how much
// scratch the network needs, and where each input and output lies in that scratch. Freestanding,
// so the same code runs in the Cortex-M55 image and in host tests.
//
// Every offset and size is checked here, once, against the bytes and the scratch size, so that the
// executor can copy tensors and start the NPU without further checks whatever the bytes say.
#ifndef INFERD_FIRMWARE_EXECUTORS_ETHOS_U_VELA_BIN_LAYOUT_H_
#define INFERD_FIRMWARE_EXECUTORS_ETHOS_U_VELA_BIN_LAYOUT_H_

#include <stdint.h>

#include "backends/ethosu/protocol/inferd_target_protocol.h"
#include "firmware/executors/ethos_u/detail_text.h"

namespace inferd::firmware {

// The NPU base-address regions of a Vela command stream, in the order ExecuTorch's Arm runtime
// hands them to the driver: constants, then the scratch that holds every input, output and
// intermediate tensor, then the fast scratch (Ethos-U65/U85 dedicated SRAM; empty on U55).
enum VelaRegion : uint32_t {
  kVelaRegionWeights = 0,
  kVelaRegionScratch = 1,
  kVelaRegionFastScratch = 2,
  kVelaRegionCount = 3,
};

// An input or output: `size_bytes` bytes at `offset` in the scratch region.
struct VelaTensorPlacement {
  uint32_t offset = 0;
  uint32_t size_bytes = 0;
  uint32_t element_size = 0;
  uint32_t rank = 0;  // 4 (older ExecuTorch) or 6
  int32_t shape[6] = {};
};

struct VelaBinLayout {
  // "cmd_data": the driver payload exactly as ethosu_invoke takes it ("COP1", driver actions).
  const uint8_t* driver_payload = nullptr;
  uint32_t driver_payload_size = 0;
  // The NPU command stream inside it (its COMMAND_STREAM action's words).
  const uint8_t* command_stream = nullptr;
  uint32_t command_stream_size = 0;
  const uint8_t* weights = nullptr;
  uint32_t weights_size = 0;
  uint32_t scratch_size = 0;
  uint32_t input_count = 0;
  uint32_t output_count = 0;
  VelaTensorPlacement inputs[INFERD_TP_MAX_TENSORS];
  VelaTensorPlacement outputs[INFERD_TP_MAX_TENSORS];
};

// The driver payload's first word: "COP1" read as a little-endian uint32.
inline constexpr uint32_t kVelaDriverPayloadMagic = 0x31504F43u;

// Reads `bytes` (a complete network, 16-byte aligned) into `layout`. Returns INFERD_TP_NET_LOADED,
// INFERD_TP_NET_BAD_FORMAT (the bytes are not a well-formed bin stream) or
// INFERD_TP_NET_UNSUPPORTED (well formed, but laid out in a way this executor does not run, such as
// more tensors than the protocol carries); `why` says what, naming the block.
uint32_t ReadVelaBinLayout(const uint8_t* bytes, uint32_t size, VelaBinLayout* layout,
                           DetailText* why);

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_EXECUTORS_ETHOS_U_VELA_BIN_LAYOUT_H_
