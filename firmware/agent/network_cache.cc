#include "firmware/agent/network_cache.h"

#include <string.h>

namespace inferd::firmware {
namespace {

// 16, not 8: the Ethos-U driver needs the command stream and the weights that a Vela bin stream
// carries 16-byte aligned, and they are used where they lie (their blocks are 16-byte multiples).
constexpr uint32_t kAlignment = 16;

uint32_t AlignUp(uint32_t value) { return (value + (kAlignment - 1)) & ~(kAlignment - 1); }

}  // namespace

NetworkCache::NetworkCache(uint8_t* arena, uint32_t arena_size)
    : arena_(arena), arena_size_(arena_size & ~(kAlignment - 1)) {
  // The arena's start must be aligned too; drop the bytes before the first aligned address.
  const uint32_t misalignment =
      static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arena) % kAlignment);
  if (misalignment != 0) {
    const uint32_t skip = kAlignment - misalignment;
    arena_ += skip;
    arena_size_ = arena_size > skip ? (arena_size - skip) & ~(kAlignment - 1) : 0;
  }
}

CachedNetwork* NetworkCache::Find(const uint8_t* id) {
  for (uint32_t i = 0; i < count_; ++i) {
    if (memcmp(slots_[i].id, id, INFERD_TP_NETWORK_ID_SIZE) == 0) return &slots_[i];
  }
  return nullptr;
}

void NetworkCache::Touch(CachedNetwork* network) { network->last_used = ++clock_; }

uint32_t NetworkCache::used_bytes() const {
  if (count_ == 0) return 0;
  const CachedNetwork& last = slots_[count_ - 1];
  return AlignUp(last.offset + last.size);
}

void NetworkCache::RemoveAt(uint32_t index) {
  const uint32_t start = slots_[index].offset;
  const uint32_t end = index + 1 < count_ ? slots_[index + 1].offset : start;
  const uint32_t gap = end - start;
  if (gap != 0 && index + 1 < count_) {
    const uint32_t tail_end = used_bytes();
    memmove(arena_ + start, arena_ + end, tail_end - end);
  }
  for (uint32_t i = index + 1; i < count_; ++i) {
    slots_[i - 1] = slots_[i];
    slots_[i - 1].offset -= gap;
  }
  --count_;
}

CachedNetwork* NetworkCache::Reserve(const uint8_t* id, uint32_t format, uint32_t size,
                                     uint32_t crc32) {
  if (size == 0 || size > arena_size_) return nullptr;
  Remove(id);
  // Only one network is received at a time: a half-received one is abandoned.
  for (uint32_t i = 0; i < count_;) {
    if (!slots_[i].complete) {
      RemoveAt(i);
    } else {
      ++i;
    }
  }
  while (count_ == kMaxNetworks || arena_size_ - used_bytes() < size) {
    uint32_t oldest = 0;
    for (uint32_t i = 1; i < count_; ++i) {
      if (slots_[i].last_used < slots_[oldest].last_used) oldest = i;
    }
    RemoveAt(oldest);
  }
  CachedNetwork& slot = slots_[count_];
  slot = {};
  memcpy(slot.id, id, INFERD_TP_NETWORK_ID_SIZE);
  slot.format = format;
  slot.offset = used_bytes();
  slot.size = size;
  slot.crc32 = crc32;
  ++count_;
  Touch(&slot);
  return &slot;
}

bool NetworkCache::Append(CachedNetwork* network, uint32_t offset, const uint8_t* data,
                          uint32_t length) {
  if (network->complete || offset != network->received || length > network->size - offset) {
    return false;
  }
  memcpy(arena_ + network->offset + offset, data, length);
  network->received += length;
  return true;
}

bool NetworkCache::Remove(const uint8_t* id) {
  CachedNetwork* network = Find(id);
  if (network == nullptr) return false;
  RemoveAt(static_cast<uint32_t>(network - slots_));
  return true;
}

}  // namespace inferd::firmware
