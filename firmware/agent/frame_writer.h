// Writes one protocol frame whose payload is gathered from several pieces (a response struct,
// tensor descriptors, output bytes still in the executor's memory), so no frame is ever copied
// into a transmit buffer.
#ifndef INFERD_FIRMWARE_AGENT_FRAME_WRITER_H_
#define INFERD_FIRMWARE_AGENT_FRAME_WRITER_H_

#include <stdint.h>

#include "firmware/agent/byte_stream.h"

namespace inferd::firmware {

struct PayloadPiece {
  const void* data;
  uint32_t size;
};

// False when the stream failed.
bool WriteFrame(const ByteStream& stream, uint16_t type, uint32_t sequence,
                const PayloadPiece* pieces, uint32_t piece_count);

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_AGENT_FRAME_WRITER_H_
