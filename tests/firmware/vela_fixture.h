// Vela bin streams for the 'ethos-u' executor's tests, made by the host's own bin-stream writer
// (backends/ethosu/payload/vela_bin_stream.h) with a driver payload laid out as Vela lays one out:
// "COP1", an optimizer-config action, NOPs that align the command stream to 16 bytes, the
// command-stream action, then the NPU commands. Stored 16-byte aligned, as the agent's network
// cache stores networks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backends/ethosu/payload/vela_bin_stream.h"

namespace inferd::firmware::testing {

// A copy of some bytes at a 16-byte aligned address.
class Aligned16Bytes {
 public:
  explicit Aligned16Bytes(std::span<const uint8_t> bytes);
  const uint8_t* data() const { return data_; }
  uint8_t* mutable_data() { return data_; }
  uint32_t size() const { return size_; }
  std::span<const uint8_t> span() const { return {data_, size_}; }

 private:
  std::vector<uint8_t> storage_;
  uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
};

// Vela's driver payload around `command_words` (the NPU command stream).
std::vector<uint8_t> VelaDriverPayload(std::span<const uint32_t> command_words);

// A small network shaped as ExecuTorch writes them today (6-D IO in the scratch region): INT8
// [1,1,1,8,8,1] in at scratch offset 0, INT8 [1,1,1,1,1,10] out at scratch offset 64.
struct VelaTestNetwork {
  std::vector<uint8_t> driver_payload;  // cmd_data
  std::vector<uint8_t> weights;
  uint32_t scratch_size = 128;
  std::vector<ethosu::VelaIo> inputs;
  std::vector<ethosu::VelaIo> outputs;

  std::vector<uint8_t> Build() const;
};

VelaTestNetwork DigitsShapedVelaNetwork();

}  // namespace inferd::firmware::testing
