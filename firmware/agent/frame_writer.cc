#include "firmware/agent/frame_writer.h"

#include "backends/ethosu/protocol/inferd_target_protocol.h"

namespace inferd::firmware {

bool WriteFrame(const ByteStream& stream, uint16_t type, uint32_t sequence,
                const PayloadPiece* pieces, uint32_t piece_count) {
  uint32_t length = 0;
  uint32_t crc = 0;
  for (uint32_t i = 0; i < piece_count; ++i) {
    length += pieces[i].size;
    crc = inferd_tp_crc32_update(crc, pieces[i].data, pieces[i].size);
  }
  uint8_t header[INFERD_TP_HEADER_SIZE];
  inferd_tp_put_u32(header + 0, INFERD_TP_SYNC);
  header[4] = static_cast<uint8_t>(INFERD_TP_VERSION_MAJOR);
  header[5] = static_cast<uint8_t>(INFERD_TP_VERSION_MINOR);
  inferd_tp_put_u16(header + 6, type);
  inferd_tp_put_u32(header + 8, sequence);
  inferd_tp_put_u32(header + 12, length);
  inferd_tp_put_u32(header + 16, length ? crc : 0u);
  inferd_tp_put_u32(header + 20, inferd_tp_crc32(header, 20));
  if (!stream.write(stream.context, header, INFERD_TP_HEADER_SIZE)) return false;
  for (uint32_t i = 0; i < piece_count; ++i) {
    if (pieces[i].size == 0) continue;
    if (!stream.write(stream.context, static_cast<const uint8_t*>(pieces[i].data),
                      pieces[i].size)) {
      return false;
    }
  }
  return true;
}

}  // namespace inferd::firmware
