#include "backends/ethosu/protocol/frame_codec.h"

#include <algorithm>
#include <cstring>

namespace inferd::ethosu {

std::vector<uint8_t> EncodeFrame(uint16_t type, uint32_t sequence,
                                 std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame(INFERD_TP_HEADER_SIZE + payload.size());
  inferd_tp_write_header(frame.data(), type, sequence, payload.data(),
                         static_cast<uint32_t>(payload.size()));
  if (!payload.empty()) {
    std::memcpy(frame.data() + INFERD_TP_HEADER_SIZE, payload.data(), payload.size());
  }
  return frame;
}

FrameDecoder::FrameDecoder(uint32_t max_payload)
    : max_payload_(std::min<uint32_t>(max_payload, INFERD_TP_MAX_PAYLOAD)) {}

void FrameDecoder::Feed(std::span<const uint8_t> bytes) {
  // Compact before growing so that a long-lived decoder's buffer stays about one frame long.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void FrameDecoder::Reset() {
  buffer_.clear();
  start_ = 0;
}

void FrameDecoder::Skip(size_t count) {
  start_ += count;
  skipped_bytes_ += count;
}

std::optional<Frame> FrameDecoder::Next() {
  static constexpr uint8_t kSync[4] = {INFERD_TP_SYNC & 0xFF, (INFERD_TP_SYNC >> 8) & 0xFF,
                                       (INFERD_TP_SYNC >> 16) & 0xFF, INFERD_TP_SYNC >> 24};
  while (true) {
    const uint8_t* begin = buffer_.data() + start_;
    const uint8_t* end = buffer_.data() + buffer_.size();
    const uint8_t* sync = std::search(begin, end, std::begin(kSync), std::end(kSync));
    if (sync == end) {
      // Keep a tail that may be the start of a sync word split across reads.
      const size_t available = static_cast<size_t>(end - begin);
      if (available > 3) Skip(available - 3);
      return std::nullopt;
    }
    Skip(static_cast<size_t>(sync - begin));
    if (buffered() < INFERD_TP_HEADER_SIZE) return std::nullopt;
    inferd_tp_header header;
    if (!inferd_tp_check_header(buffer_.data() + start_, max_payload_, &header)) {
      Skip(1);
      continue;
    }
    if (buffered() < INFERD_TP_HEADER_SIZE + header.payload_length) return std::nullopt;
    const uint8_t* payload = buffer_.data() + start_ + INFERD_TP_HEADER_SIZE;
    const uint32_t crc =
        header.payload_length == 0 ? 0u : inferd_tp_crc32(payload, header.payload_length);
    if (crc != header.payload_crc32) {
      // The header was intact but the payload is not (or bytes went missing and the length now
      // spans into the next frame): rescan from just after this sync word.
      ++rejected_frames_;
      Skip(1);
      continue;
    }
    Frame frame;
    frame.type = header.type;
    frame.sequence = header.sequence;
    frame.payload.assign(payload, payload + header.payload_length);
    start_ += INFERD_TP_HEADER_SIZE + header.payload_length;
    return frame;
  }
}

}  // namespace inferd::ethosu
