// The weights binding packs for the optimised kernels (packed_matrix.h), kept once.
//
// Binding may pack the same constant more than once: a fused convolution (requantisation_fusion.h)
// binds its producer for the fused call and again, one operator at a time, for the operand values
// the fused epilogue does not take; every instance of a model binds the same graph. All of these
// steps share the one packed copy kept here (see LoadTimeConstants::Pack).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/functional/function_ref.h"
#include "backends/cpu/kernels/optimized/packed_matrix.h"
#include "engine/graph/graph.h"

namespace inferd::cpu {

// How a weight is packed. With the tensor (whose shape fixes every dimension the packing reads)
// and the zero point subtracted while packing, it determines the packed bytes.
enum class WeightPacking : uint8_t {
  kConv2dInt8,
  kConv2dFp32,
  kDepthwiseConv2dInt8,
  kMatmulInt8,
  kMatmulFp32,
};

// Bytes a packed form holds.
inline size_t PackedBytes(const kernels::optimized::PackedInt8Matrix& m) {
  return m.data.size() * sizeof(m.data[0]) + m.quads.size() +
         m.column_sums.size() * sizeof(m.column_sums[0]);
}
inline size_t PackedBytes(const kernels::optimized::PackedFp32Matrix& m) {
  return m.data.size() * sizeof(m.data[0]);
}
inline size_t PackedBytes(const std::vector<int16_t>& v) { return v.size() * sizeof(v[0]); }

// Thread-safe: instances of different models bind at the same time.
class PackedWeights {
 public:
  // The packed form of constant `id` of the graph this store belongs to: `pack()` on the first
  // request for (id, packing, zero_point), the same object afterwards.
  template <typename Packed>
  std::shared_ptr<const Packed> GetOrPack(graph::TensorId id, WeightPacking packing,
                                          int32_t zero_point, absl::FunctionRef<Packed()> pack) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<const void>& slot = packed_[Key{id, packing, zero_point}];
    if (slot == nullptr) {
      auto made = std::make_shared<const Packed>(pack());
      bytes_ += PackedBytes(*made);
      slot = std::move(made);
    }
    return std::static_pointer_cast<const Packed>(slot);
  }

  // Distinct packed copies held, and their bytes.
  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return packed_.size();
  }
  size_t bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }

 private:
  struct Key {
    graph::TensorId id;
    WeightPacking packing;
    int32_t zero_point;
    auto operator<=>(const Key&) const = default;
  };
  mutable std::mutex mutex_;
  std::map<Key, std::shared_ptr<const void>> packed_;
  size_t bytes_ = 0;
};

}  // namespace inferd::cpu
