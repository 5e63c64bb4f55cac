#include "backends/cpu/kernels/optimized/thread_scratch.h"

#include <memory>
#include <new>

namespace inferd::cpu::kernels::optimized {
namespace {

struct AlignedDelete {
  void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t{64}); }
};

}  // namespace

void* ThreadScratch(size_t bytes) {
  thread_local std::unique_ptr<std::byte[], AlignedDelete> buffer;
  thread_local size_t capacity = 0;
  if (bytes > capacity) {
    // Grow geometrically so a sequence of slightly larger requests settles quickly.
    const size_t grown = bytes > 2 * capacity ? bytes : 2 * capacity;
    buffer.reset(static_cast<std::byte*>(::operator new[](grown, std::align_val_t{64})));
    capacity = grown;
  }
  return buffer.get();
}

}  // namespace inferd::cpu::kernels::optimized
