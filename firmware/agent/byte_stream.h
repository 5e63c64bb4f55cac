// The byte stream the agent speaks over: a UART on a board, a TCP socket in a host program, an
// in-memory pipe in tests. Plain callbacks so that the core needs no OS and no allocation.
#ifndef INFERD_FIRMWARE_AGENT_BYTE_STREAM_H_
#define INFERD_FIRMWARE_AGENT_BYTE_STREAM_H_

#include <stdint.h>

namespace inferd::firmware {

struct ByteStream {
  void* context = nullptr;
  // Reads up to `capacity` bytes into `buffer`. With `wait` it blocks until at least one byte is
  // there; without, it returns 0 at once when none is. Negative: the stream is closed or failed,
  // and the agent stops serving.
  int32_t (*read)(void* context, uint8_t* buffer, uint32_t capacity, bool wait) = nullptr;
  // Writes all `size` bytes; false when the stream failed.
  bool (*write)(void* context, const uint8_t* data, uint32_t size) = nullptr;
};

// A free-running cycle counter for the CPU-cycles field of INFERENCE_RSP; null reports 0.
struct CycleCounter {
  void* context = nullptr;
  uint64_t (*now)(void* context) = nullptr;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_AGENT_BYTE_STREAM_H_
