#include "firmware/agent/frame_parser.h"

#include <string.h>

namespace inferd::firmware {

FrameParser::FrameParser(uint8_t* payload_buffer, uint32_t capacity)
    : payload_(payload_buffer), capacity_(capacity) {}

bool FrameParser::AcceptHeader() {
  if (inferd_tp_check_header(window_, capacity_, &header_)) return true;
  // Not a header here: the next candidate starts one byte further on and may already be partly
  // in the window. Drop bytes until the window starts like a sync word again.
  uint32_t drop = 1;
  while (drop < INFERD_TP_HEADER_SIZE && window_[drop] != static_cast<uint8_t>(INFERD_TP_SYNC)) {
    ++drop;
  }
  memmove(window_, window_ + drop, INFERD_TP_HEADER_SIZE - drop);
  window_fill_ = INFERD_TP_HEADER_SIZE - drop;
  skipped_bytes_ += drop;
  return false;
}

uint32_t FrameParser::Feed(const uint8_t* data, uint32_t size, bool* frame_ready) {
  *frame_ready = false;
  uint32_t used = 0;
  while (used < size) {
    if (state_ == State::kHeader) {
      const uint8_t byte = data[used++];
      // Noise is dropped a byte at a time without touching the window.
      if (window_fill_ == 0 && byte != static_cast<uint8_t>(INFERD_TP_SYNC)) {
        ++skipped_bytes_;
        continue;
      }
      window_[window_fill_++] = byte;
      if (window_fill_ < INFERD_TP_HEADER_SIZE || !AcceptHeader()) continue;
      window_fill_ = 0;
      payload_fill_ = 0;
      if (header_.payload_length == 0) {
        if (header_.payload_crc32 == 0) {
          *frame_ready = true;
          return used;
        }
        ++dropped_frames_;
        continue;
      }
      state_ = State::kPayload;
      continue;
    }
    const uint32_t want = header_.payload_length - payload_fill_;
    const uint32_t take = (size - used) < want ? (size - used) : want;
    memcpy(payload_ + payload_fill_, data + used, take);
    payload_fill_ += take;
    used += take;
    if (payload_fill_ < header_.payload_length) continue;
    state_ = State::kHeader;
    // A header that passed its CRC frames the payload reliably, so a payload CRC failure drops
    // just this frame and scanning resumes right after it.
    if (inferd_tp_crc32(payload_, header_.payload_length) != header_.payload_crc32) {
      ++dropped_frames_;
      continue;
    }
    *frame_ready = true;
    return used;
  }
  return used;
}

}  // namespace inferd::firmware
