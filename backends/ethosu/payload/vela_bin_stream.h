// Reader for Vela's "bin stream": the container ExecuTorch's Arm backend and inferd use to carry a
// Vela-compiled Ethos-U network (command stream, weights, scratch size and IO layout). The host
// validates it before upload so that a malformed payload is refused at model load, with a reason.
//
// Layout: a sequence of blocks, each a 32-byte header (16-byte NUL-padded name, uint32 payload
// size, 12 bytes padding) followed by the payload padded to 16 bytes. The first block is
// "vela_bin_stream", the last "vela_end_stream"; between them exactly one each of "cmd_data"
// (starting "COP1" or "COP2"), "weight_data", "scratch_size" (uint32), "inputs" and "outputs"
// (int32 count, then per tensor int32 shape[4] or shape[6], element_size, offset, region:
// ExecuTorch wrote 4-D shapes before 2025 and 6-D since, and the block size tells which),
// optionally "vela_model"; other blocks are skipped.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::ethosu {

inline constexpr int kVelaMaxIoRank = 6;

struct VelaIo {
  std::array<int32_t, kVelaMaxIoRank> shape{};  // the first `rank` entries are used
  int rank = 4;                                 // 4 or 6
  int32_t element_size = 0;
  int32_t offset = 0;  // within the scratch region
  int32_t region = 0;  // NPU base-pointer region
  int64_t bytes() const;
};

struct VelaBinStream {
  std::span<const uint8_t> cmd_data;
  std::span<const uint8_t> weight_data;
  uint32_t scratch_size = 0;
  std::vector<VelaIo> inputs;
  std::vector<VelaIo> outputs;
};

inline constexpr size_t kVelaBlockHeaderSize = 32;
inline constexpr size_t kVelaBlockNameSize = 16;
inline constexpr int32_t kVelaMaxRegion = 7;

// True when `bytes` starts with a "vela_bin_stream" block header (a cheap format sniff).
bool LooksLikeVelaBinStream(std::span<const uint8_t> bytes);

// Parses and validates; INVALID_ARGUMENT naming the block and the problem otherwise. The spans
// point into `bytes`.
absl::StatusOr<VelaBinStream> ParseVelaBinStream(std::span<const uint8_t> bytes);

// Builds a bin stream (for tests and tools) whose IO entries have `io_rank` (4 or 6) dimensions.
std::vector<uint8_t> BuildVelaBinStream(std::span<const uint8_t> cmd_data,
                                        std::span<const uint8_t> weight_data, uint32_t scratch_size,
                                        const std::vector<VelaIo>& inputs,
                                        const std::vector<VelaIo>& outputs, int io_rank = 4);

}  // namespace inferd::ethosu
