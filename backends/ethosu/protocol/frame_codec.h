// Frame encoding and a resynchronising frame decoder for the inferd target protocol
// (inferd_target_protocol.h): bytes in from any stream, whole verified frames out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "backends/ethosu/protocol/inferd_target_protocol.h"

namespace inferd::ethosu {

struct Frame {
  uint16_t type = 0;
  uint32_t sequence = 0;
  std::vector<uint8_t> payload;
};

// One complete frame: header then payload. `payload` must be at most INFERD_TP_MAX_PAYLOAD bytes.
std::vector<uint8_t> EncodeFrame(uint16_t type, uint32_t sequence,
                                 std::span<const uint8_t> payload);

// Accumulates bytes and yields frames whose header and payload CRCs check. Anything else (noise,
// a truncated frame, a flipped bit) is skipped by scanning for the next sync word, so one corrupt
// frame costs only itself. Not thread-safe.
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t max_payload = INFERD_TP_MAX_PAYLOAD);

  void Feed(std::span<const uint8_t> bytes);
  // The next complete valid frame, or nullopt when more bytes are needed.
  std::optional<Frame> Next();
  // Forgets buffered bytes (e.g. after a reconnect).
  void Reset();

  // Bytes discarded while searching for a frame, and candidate frames rejected after a valid
  // header (bad payload CRC): for diagnostics and tests.
  uint64_t skipped_bytes() const { return skipped_bytes_; }
  uint64_t rejected_frames() const { return rejected_frames_; }
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  void Skip(size_t count);

  uint32_t max_payload_;
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;  // first unconsumed byte of buffer_
  uint64_t skipped_bytes_ = 0;
  uint64_t rejected_frames_ = 0;
};

}  // namespace inferd::ethosu
