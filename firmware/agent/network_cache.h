// Networks the agent holds, keyed by their content hash (the host's SHA-256 of the bytes), in one
// fixed arena: each network is stored contiguously and 16-byte aligned, the arena stays packed
// (an eviction slides later networks down) and the least recently used network is evicted when a
// new one does not fit. At most one network is being received at a time.
#ifndef INFERD_FIRMWARE_AGENT_NETWORK_CACHE_H_
#define INFERD_FIRMWARE_AGENT_NETWORK_CACHE_H_

#include <stdint.h>

#include "backends/ethosu/protocol/inferd_target_protocol.h"

namespace inferd::firmware {

struct CachedNetwork {
  uint8_t id[INFERD_TP_NETWORK_ID_SIZE];
  uint32_t format;
  uint32_t offset;  // into the arena
  uint32_t size;
  uint32_t received;
  uint32_t crc32;
  bool complete;
  uint64_t last_used;
};

class NetworkCache {
 public:
  static constexpr uint32_t kMaxNetworks = 8;

  NetworkCache(uint8_t* arena, uint32_t arena_size);

  // The network with this id, complete or not; null when absent. Touch marks it recently used.
  CachedNetwork* Find(const uint8_t* id);
  void Touch(CachedNetwork* network);

  // Makes room for a network of `size` bytes, evicting least recently used networks (and any
  // other network still being received). Null when `size` exceeds the arena.
  CachedNetwork* Reserve(const uint8_t* id, uint32_t format, uint32_t size, uint32_t crc32);

  // Stores the next chunk of a reserved network: false unless `offset` is where the previous
  // chunk ended and the chunk fits.
  bool Append(CachedNetwork* network, uint32_t offset, const uint8_t* data, uint32_t length);

  // Removes a network; false when the id is unknown.
  bool Remove(const uint8_t* id);

  const uint8_t* bytes(const CachedNetwork& network) const { return arena_ + network.offset; }
  uint32_t count() const { return count_; }
  uint32_t arena_size() const { return arena_size_; }

 private:
  void RemoveAt(uint32_t index);
  uint32_t used_bytes() const;

  uint8_t* arena_;
  uint32_t arena_size_;
  // Ordered by offset, so the arena is packed from slot 0 up.
  CachedNetwork slots_[kMaxNetworks] = {};
  uint32_t count_ = 0;
  uint64_t clock_ = 0;
};

}  // namespace inferd::firmware

#endif  // INFERD_FIRMWARE_AGENT_NETWORK_CACHE_H_
