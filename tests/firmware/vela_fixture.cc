#include "tests/firmware/vela_fixture.h"

#include <array>
#include <cstring>

namespace inferd::firmware::testing {
namespace {

// Vela's driver actions (ethos-u-vela driver_actions.py, ethos-u-core-driver DRIVER_ACTION_e).
constexpr uint32_t kOptimizerConfig = 0x01;
constexpr uint32_t kCommandStream = 0x02;
constexpr uint32_t kNop = 0x05;

uint32_t Action(uint32_t action, uint32_t reserved, uint32_t parameter) {
  return action | reserved << 8 | parameter << 16;
}

// A 6-D INT8 tensor at `offset` in the scratch region (region 1), as Vela places network IO.
ethosu::VelaIo Int8InScratch(std::array<int32_t, 6> shape, int32_t offset) {
  ethosu::VelaIo io;
  io.rank = 6;
  io.shape = shape;
  io.element_size = 1;
  io.offset = offset;
  io.region = 1;
  return io;
}

}  // namespace

Aligned16Bytes::Aligned16Bytes(std::span<const uint8_t> bytes)
    : storage_(bytes.size() + 16), size_(static_cast<uint32_t>(bytes.size())) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(storage_.data());
  data_ = storage_.data() + (16 - address % 16) % 16;
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

std::vector<uint8_t> VelaDriverPayload(std::span<const uint32_t> command_words) {
  std::vector<uint32_t> words;
  words.push_back(0x31504F43u);                               // "COP1"
  words.push_back(Action(kOptimizerConfig, 0, 1u << 4 | 0));  // release 0, patch 1
  words.push_back(0x00000870u);  // config: macs_per_cc log2 = 7 (128 MACs), shram size
  words.push_back(0x10000000u);  // id: architecture 1.0.x
  while ((words.size() + 1) % 4 != 0) words.push_back(Action(kNop, 0, 0));
  const uint32_t length = static_cast<uint32_t>(command_words.size());
  words.push_back(Action(kCommandStream, (length >> 16) & 0xFF, length & 0xFFFF));
  words.insert(words.end(), command_words.begin(), command_words.end());
  std::vector<uint8_t> bytes(words.size() * 4);
  std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

std::vector<uint8_t> VelaTestNetwork::Build() const {
  return ethosu::BuildVelaBinStream(driver_payload, weights, scratch_size, inputs, outputs,
                                    /*io_rank=*/6);
}

VelaTestNetwork DigitsShapedVelaNetwork() {
  // Some register writes and NPU_OP_STOP: the double never decodes them, the layout is the point.
  const uint32_t commands[] = {0x0000010F, 0x00010124, 0x4000000A, 0x00000000, 0xFFFF0008};
  VelaTestNetwork network;
  network.driver_payload = VelaDriverPayload(commands);
  network.weights.resize(96);
  for (size_t i = 0; i < network.weights.size(); ++i) {
    network.weights[i] = static_cast<uint8_t>(i * 7);
  }
  network.inputs = {Int8InScratch({1, 1, 1, 8, 8, 1}, 0)};
  network.outputs = {Int8InScratch({1, 1, 1, 1, 1, 10}, 64)};
  return network;
}

}  // namespace inferd::firmware::testing
