// Finds protocol frames in a byte stream that may carry noise, truncated or corrupt frames: scans
// for the sync word, checks the header CRC and length, collects the payload into a fixed buffer
// and checks its CRC. Nothing allocates; a bad candidate is dropped and the scan goes on.
#ifndef INFERD_FIRMWARE_AGENT_FRAME_PARSER_H_
#define INFERD_FIRMWARE_AGENT_FRAME_PARSER_H_

#include <stdint.h>

#include "backends/ethosu/protocol/inferd_target_protocol.h"

namespace inferd::firmware {

class FrameParser {
 public:
  // Payloads longer than `capacity` are treated as corrupt headers (the target advertises its
  // capacity as CAPABILITIES.max_payload, so a good host never sends one).
  FrameParser(uint8_t* payload_buffer, uint32_t capacity);

  // Consumes bytes from `data` up to and including the end of the next complete, valid frame.
  // Returns how many were consumed; *frame_ready says whether a frame ended there, in which case
  // header() and payload() describe it until the next Feed.
  uint32_t Feed(const uint8_t* data, uint32_t size, bool* frame_ready);

  const inferd_tp_header& header() const { return header_; }
  const uint8_t* payload() const { return payload_; }
  uint32_t capacity() const { return capacity_; }
  // Bytes skipped while looking for a header and frames dropped for a bad payload CRC: for
  // diagnostics and tests.
  uint32_t skipped_bytes() const { return skipped_bytes_; }
  uint32_t dropped_frames() const { return dropped_frames_; }

 private:
  enum class State : uint8_t { kHeader, kPayload };

  // Called with a full header window; on failure shifts the window by one byte.
  bool AcceptHeader();

  uint8_t* payload_;
  uint32_t capacity_;
  State state_ = State::kHeader;
  uint8_t window_[INFERD_TP_HEADER_SIZE] = {};
  uint32_t window_fill_ = 0;
  inferd_tp_header header_ = {};
  uint32_t payload_fill_ = 0;
  uint32_t skipped_bytes_ = 0;
  uint32_t dropped_frames_ = 0;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_AGENT_FRAME_PARSER_H_
