#include "backends/cpu/kernels/select.h"

#include <cstdint>

namespace inferd::cpu::kernels {
namespace {

// Element strides of an input broadcast to the output shape: 0 along its size-1 dimensions.
void BroadcastStrides(int32_t rank, const int32_t* dims, int64_t* strides) {
  int64_t size = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    strides[d] = dims[d] == 1 ? 0 : size;
    size *= dims[d];
  }
}

template <typename T>
void SelectTyped(const SelectShape& shape, const uint8_t* condition, const T* on_true,
                 const T* on_false, T* output) {
  const int32_t rank = shape.rank;
  int64_t condition_stride[kMaxRank] = {}, true_stride[kMaxRank] = {}, false_stride[kMaxRank] = {};
  BroadcastStrides(rank, shape.condition_dims, condition_stride);
  BroadcastStrides(rank, shape.on_true_dims, true_stride);
  BroadcastStrides(rank, shape.on_false_dims, false_stride);
  int64_t total = 1;
  for (int32_t d = 0; d < rank; ++d) total *= shape.output_dims[d];
  int32_t index[kMaxRank] = {};
  int64_t c = 0, t = 0, f = 0;
  for (int64_t i = 0; i < total; ++i) {
    output[i] = condition[c] != 0 ? on_true[t] : on_false[f];
    // Odometer over the output index, moving the three input offsets with it.
    for (int32_t d = rank - 1; d >= 0; --d) {
      c += condition_stride[d];
      t += true_stride[d];
      f += false_stride[d];
      if (++index[d] < shape.output_dims[d]) break;
      c -= condition_stride[d] * index[d];
      t -= true_stride[d] * index[d];
      f -= false_stride[d] * index[d];
      index[d] = 0;
    }
  }
}

}  // namespace

KernelStatus Select(const SelectShape& shape, const uint8_t* condition, const void* on_true,
                    const void* on_false, void* output, int32_t element_size) {
  switch (element_size) {
    case 1:
      SelectTyped(shape, condition, static_cast<const uint8_t*>(on_true),
                  static_cast<const uint8_t*>(on_false), static_cast<uint8_t*>(output));
      return KernelStatus::kOk;
    case 2:
      SelectTyped(shape, condition, static_cast<const uint16_t*>(on_true),
                  static_cast<const uint16_t*>(on_false), static_cast<uint16_t*>(output));
      return KernelStatus::kOk;
    case 4:
      SelectTyped(shape, condition, static_cast<const uint32_t*>(on_true),
                  static_cast<const uint32_t*>(on_false), static_cast<uint32_t*>(output));
      return KernelStatus::kOk;
    default:
      return KernelStatus::kInvalidArgument;
  }
}

}  // namespace inferd::cpu::kernels
